// CEL tokens: identifiers, int/double literals, single/double-quoted strings (with the usual
// backslash escapes, and r'' raw strings), and operators.

#include <cctype>
#include <charconv>

#include "triggers/cel_internal.h"

namespace baton::triggers::cel {

namespace {

Error lex_error(std::size_t* error_offset, std::size_t at, const std::string& msg) {
  if (error_offset) *error_offset = at;
  return Error{"column " + std::to_string(at + 1) + ": " + msg, "cel", {}};
}

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Decodes one escape after a backslash at s[i]; advances i past it.
bool decode_escape(std::string_view s, std::size_t& i, std::string& out) {
  if (i >= s.size()) return false;
  char c = s[i++];
  switch (c) {
    case 'n':
      out += '\n';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'r':
      out += '\r';
      return true;
    case '\\':
      out += '\\';
      return true;
    case '\'':
      out += '\'';
      return true;
    case '"':
      out += '"';
      return true;
    case '`':
      out += '`';
      return true;
    case '?':
      out += '?';
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::vector<Token>> lex(std::string_view s, std::size_t* error_offset) {
  static const char* const kOps[] = {"==", "!=", "<=", ">=", "&&", "||", "<", ">",
                                     "!",  "+",  "-",  "*",  "/",  "%",  "(", ")",
                                     "[",  "]",  ".",  ",",  "?",  ":",  "{", "}"};
  std::vector<Token> out;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    Token t;
    t.offset = i;
    if (i >= s.size()) {
      out.push_back(t);
      return out;
    }
    char c = s[i];
    bool raw = (c == 'r' || c == 'R') && i + 1 < s.size() && (s[i + 1] == '\'' || s[i + 1] == '"');
    if (is_ident_start(c) && !raw) {
      std::size_t b = i;
      while (i < s.size() && is_ident_char(s[i])) ++i;
      t.kind = TokKind::kIdent;
      t.text = std::string(s.substr(b, i - b));
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t b = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      bool is_double =
          i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]));
      if (is_double) {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        t.kind = TokKind::kDouble;
        auto r = std::from_chars(s.data() + b, s.data() + i, t.double_value);
        if (r.ec != std::errc()) return lex_error(error_offset, b, "malformed number");
      } else {
        t.kind = TokKind::kInt;
        auto r = std::from_chars(s.data() + b, s.data() + i, t.int_value);
        if (r.ec != std::errc()) return lex_error(error_offset, b, "integer out of range");
      }
      if (i < s.size() && (s[i] == 'u' || s[i] == 'U')) ++i;  // uint suffix: same value here
    } else if (c == '\'' || c == '"' || raw) {
      if (raw) ++i;
      char q = s[i++];
      bool triple = i + 1 < s.size() && s[i] == q && s[i + 1] == q;
      if (triple) i += 2;
      t.kind = TokKind::kString;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == q && (!triple || s.substr(i, 3) == std::string(3, q))) {
          i += triple ? 3 : 1;
          closed = true;
          break;
        }
        if (!triple && s[i] == '\n') break;
        if (s[i] == '\\' && !raw) {
          std::size_t at = i++;
          if (!decode_escape(s, i, t.text)) {
            return lex_error(error_offset, at, "unsupported escape sequence in string literal");
          }
          continue;
        }
        t.text += s[i++];
      }
      if (!closed) return lex_error(error_offset, t.offset, "unterminated string literal");
    } else {
      t.kind = TokKind::kOp;
      for (const char* op : kOps) {
        std::string_view o(op);
        if (s.substr(i, o.size()) == o) {
          t.text = std::string(o);
          break;
        }
      }
      if (t.text.empty()) {
        return lex_error(error_offset, i, std::string("unexpected character '") + c + "'");
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
}

}  // namespace baton::triggers::cel
