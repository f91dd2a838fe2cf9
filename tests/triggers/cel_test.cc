// CEL subset: every expression of the tekton-triggers corpus compiles; evaluation table;
// compile errors with offsets.

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/spec/yaml_tree.h"
#include "triggers/cel_internal.h"

namespace baton::triggers::cel {
namespace {

// Collects `filter` param values and overlay `expression`s from a YAML tree.
void collect(const spec::Node& n, std::vector<std::string>& out) {
  if (n.is_map()) {
    const spec::Node* name = n.find("name");
    const spec::Node* value = n.find("value");
    if (name && value && name->scalar == "filter" && value->is_scalar())
      out.push_back(value->scalar);
    if (const spec::Node* e = n.find("expression"); e && n.find("key")) out.push_back(e->scalar);
    for (const auto& e : n.entries) {
      if (e.key == "filter" && e.value.is_scalar()) out.push_back(e.value.scalar);  // v1alpha1 cel:
      collect(e.value, out);
    }
  }
  for (const auto& i : n.items) collect(i, out);
}

TEST(Cel, EveryCorpusExpressionCompiles) {
  std::vector<std::string> exprs;
  for (const auto& f : std::filesystem::recursive_directory_iterator(std::string(BATON_CORPUS_DIR) +
                                                                     "/tekton-triggers/examples")) {
    if (f.path().extension() != ".yaml") continue;
    auto docs = spec::parse_yaml_file(f.path().string());
    ASSERT_TRUE(docs.ok()) << f.path();
    for (const auto& d : *docs) collect(d.root, exprs);
  }
  EXPECT_GE(exprs.size(), 14u);  // 8 filters + 6 overlays when this was written
  for (const auto& e : exprs) {
    auto p = compile(e);
    EXPECT_TRUE(p.ok()) << e << ": " << (p.ok() ? "" : p.error().message);
  }
}

Json eval(const std::string& src, const Json& body, const Json& ext = Json::object(),
          SecretLookup secrets = {}) {
  auto p = compile(src);
  EXPECT_TRUE(p.ok()) << src << ": " << (p.ok() ? "" : p.error().message);
  if (!p.ok()) return "compile error";
  Json header = {{"X-Github-Event", {"pull_request"}}, {"Content-Type", {"application/json"}}};
  Env env{&body, &header, &ext, &secrets, "/hooks"};
  auto v = evaluate(*p, env);
  if (!v.ok()) return "error: " + v.error().message;
  return *v;
}

TEST(Cel, EvaluationTable) {
  Json body = Json::parse(R"({"action": "opened", "ref": "refs/heads/main",
    "pull_request": {"head": {"sha": "28911bbb5a3e2ea034daf1f6be0a822d50e31e73"}, "number": 7},
    "commits": [{"id": "a"}, {"id": "b"}], "n": 3.0, "repository": {"name": "Hello-World"}})");
  struct Case {
    const char* expr;
    Json want;
  };
  const Case cases[] = {
      {"body.action in ['opened', 'synchronize', 'reopened']", true},
      {"body.action in [\"closed\"]", false},
      {"header.match('X-GitHub-Event', 'pull_request')", true},
      {"header.match('x-github-event', 'push')", false},
      {"header.canonical('X-GitHub-Event') == 'push'", false},
      {"header.canonical('content-type')", "application/json"},
      {"header['X-GitHub-Event'][0]", "pull_request"},
      {"header['Content-Type'] == ['application/json']", true},
      {"body.pull_request.head.sha.truncate(7)", "28911bb"},
      {"body.ref.split('/')[2]", "main"},
      {"body.ref.split('/')", Json::array({"refs", "heads", "main"})},
      {"body['pull_request']['number'] == 7", true},
      {"body.pull_request.number > 5 && body.pull_request.number < 8", true},
      {"body.pull_request.number >= 8 || !(body.action == 'opened')", false},
      {"body.n == 3", true},
      {"body.ref.startsWith('refs/heads/')", true},
      {"body.ref.endsWith('/main') && body.ref.contains('heads')", true},
      {"body.ref.matches('^refs/(heads|tags)/')", true},
      {"body.repository.name.matches('(?i)^hello')", true},
      {"matches(body.ref, 'tags')", false},
      {"body.repository.name.lowerAscii() + '-' + body.action", "hello-world-opened"},
      {"body.commits.size() == 2 && size(body.commits) == 2 && size('abc') == 3", true},
      {"body.commits[1].id", "b"},
      {"has(body.pull_request) && !has(body.issue)", true},
      {"extensions.short == 'abc'", true},
      {"body.action == 'opened' ? 'yes' : 'no'", "yes"},
      {"null == null && true != false", true},
      {"1 + 2 * 3", 7},
      {"-1 < 0", true},
      {"'a\\'b' == \"a'b\"", true},
      {"'dGVzdA=='.decodeb64()", "test"},
      {"'{\"a\": [1]}'.parseJSON().a[0]", 1},
      {"int('42') + 1", 43},
      {"string(5)", "5"},
      {"requestURL", "/hooks"},
      // Errors at evaluation time are reported, never a silent false.
      {"body.missing == 'x'", "error: no such key: missing"},
      {"body.commits[5].id", "error: index out of range: 5 (size 2)"},
      {"body.action > 1", "error: no such overload: string > int"},
      // ... but && and || decide without the erroring side when they can.
      {"false && body.missing", false},
      {"body.missing || true", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(eval(c.expr, body, {{"short", "abc"}}), c.want) << c.expr;
  }
}

TEST(Cel, CompareSecretUsesTheLookup) {
  SecretLookup secrets = [](const std::string& name,
                            const std::string& key) -> std::optional<std::string> {
    if (name == "mysecret" && key == "token") return "test-secret";
    return std::nullopt;
  };
  EXPECT_EQ(eval("'test-secret'.compareSecret('token', 'mysecret')", {}, {}, secrets), true);
  EXPECT_EQ(eval("'wrong'.compareSecret('token', 'mysecret')", {}, {}, secrets), false);
  EXPECT_EQ(eval("'x'.compareSecret('nokey', 'mysecret')", {}, {}, secrets),
            "error: compareSecret(): secret mysecret has no key nokey");
}

TEST(Cel, CompileErrorsNameTheColumn) {
  struct Case {
    const char* expr;
    const char* message;
    std::size_t offset;
  };
  const Case cases[] = {
      {"body.x.exists(c, c == 1)", "column 8: unknown function 'exists'", 7},
      {"bdy.action == 'x'",
       "column 1: unknown identifier 'bdy' (known: body, header, extensions, requestURL)", 0},
      {"body.action == 'x", "column 16: unterminated string literal", 15},
      {"body.action ==", "column 15: unexpected end of expression", 14},
      {"(body.a", "column 8: expected ')' before the end", 7},
      {"body.a.truncate()", "column 8: truncate() takes 1 argument(s), got 0", 7},
      {"body.a.matches('(')", "column 8: invalid regular expression: ", 7},
      {"size()", "column 1: size() takes 1 argument(s), got 0", 0},
      {"body.a # b", "column 8: unexpected character '#'", 7},
      {"startsWith('a')", "column 1: startsWith() is a method; call it as x.startsWith(...)", 0},
      {"has(body)", "column 1: has() takes one field selection, e.g. has(body.pull_request)", 0},
  };
  for (const auto& c : cases) {
    std::size_t off = 999;
    auto p = compile(c.expr, &off);
    ASSERT_FALSE(p.ok()) << c.expr;
    EXPECT_EQ(p.error().message.substr(0, std::string(c.message).size()), c.message) << c.expr;
    EXPECT_EQ(off, c.offset) << c.expr;
  }
}

}  // namespace
}  // namespace baton::triggers::cel
