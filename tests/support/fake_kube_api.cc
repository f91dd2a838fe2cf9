// The API-server half of the fake cluster (see fake_kube_cluster.h).

#include <signal.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>

#include "tests/support/fake_kube_cluster.h"

namespace baton::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

void FakeCluster::publish(FakePod& pod, const std::string& type) {
  pod.object["metadata"]["resourceVersion"] = std::to_string(++rv);
  events.push_back({rv, type, pod.object});
  cv.notify_all();
}

struct FakeKubeApi::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<ssl::context> tls;
  std::thread accept_thread;
  std::mutex conn_mu;
  std::vector<std::thread> conns;
  std::set<int> fds;
  unsigned short port = 0;
};

namespace {

Json status(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> query_of(const std::string& q) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= q.size()) {
    std::size_t amp = q.find('&', pos);
    std::string kv = q.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::size_t eq = kv.find('=');
    if (!kv.empty())
      out[url_decode(kv.substr(0, eq))] =
          eq == std::string::npos ? "" : url_decode(kv.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool matches(const Json& pod, const std::string& selector) {
  const Json labels = pod["metadata"].value("labels", Json::object());
  std::size_t pos = 0;
  while (pos < selector.size()) {
    std::size_t comma = selector.find(',', pos);
    std::string term =
        selector.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    std::size_t eq = term.find('=');
    if (eq != std::string::npos) {
      std::string k = term.substr(0, eq), v = term.substr(eq + 1);
      if (!labels.contains(k) || labels[k] != v) return false;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return true;
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// One request/response exchange on a stream (plain or TLS).
template <class Stream>
class Session {
 public:
  Session(Stream& s, FakeCluster& c, const FakeKubeOptions& o, FakeKubeApi& api)
      : s_(s), c_(c), o_(o), api_(api) {}

  bool handle(http::request<http::string_body>& req) {
    std::string target(req.target());
    std::size_t qpos = target.find('?');
    std::string path = target.substr(0, qpos);
    auto q = query_of(qpos == std::string::npos ? "" : target.substr(qpos + 1));
    std::string auth(req[http::field::authorization]);
    if (auth != "Bearer " + o_.token && auth != "Bearer " + o_.forbidden_token)
      return send(401, status(401, "Unauthorized", "Unauthorized"));
    // /api/v1/namespaces/{ns}/pods[/{name}[/log]]
    std::vector<std::string> parts;
    for (std::size_t p = 1; p <= path.size();) {
      std::size_t slash = path.find('/', p);
      parts.push_back(path.substr(p, slash == std::string::npos ? std::string::npos : slash - p));
      if (slash == std::string::npos) break;
      p = slash + 1;
    }
    if (parts.size() < 5 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces" ||
        parts[4] != "pods")
      return send(404, status(404, "NotFound", "the server could not find the requested resource"));
    const std::string& ns = parts[3];
    std::string verb = req.method() == http::verb::post      ? "create"
                       : req.method() == http::verb::delete_ ? "delete"
                       : q.count("watch")                    ? "watch"
                       : parts.size() == 5                   ? "list"
                                                             : "get";
    {
      std::lock_guard<std::mutex> l(c_.mu);
      bool log = parts.size() == 7 && parts[6] == "log";
      c_.calls.insert((log ? "get" : verb) + std::string(log ? " pods/log" : " pods"));
    }
    if (auth == "Bearer " + o_.forbidden_token) {
      return send(
          403, status(403, "Forbidden",
                      "pods is forbidden: User \"system:serviceaccount:ci:reader\" cannot " + verb +
                          " resource \"pods\" in API group \"\" in the namespace \"" + ns + "\""));
    }
    if (req.method() == http::verb::post && parts.size() == 5) return create(ns, req.body());
    if (req.method() == http::verb::get && parts.size() == 5)
      return q.count("watch") ? watch(ns, q) : list(ns, q);
    if (parts.size() == 6 && req.method() == http::verb::get) return get(ns, parts[5]);
    if (parts.size() == 6 && req.method() == http::verb::delete_) return remove(ns, parts[5]);
    if (parts.size() == 7 && parts[6] == "log") return log(ns, parts[5], q);
    return send(405, status(405, "MethodNotAllowed", "method not allowed"));
  }

 private:
  bool send(int code, const Json& body) {
    http::response<http::string_body> res(static_cast<http::status>(code), 11);
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.prepare_payload();
    beast::error_code ec;
    http::write(s_, res, ec);
    return !ec;
  }

  bool create(const std::string& ns, const std::string& body) {
    Json pod;
    try {
      pod = Json::parse(body);
    } catch (const Json::exception& e) {
      return send(400, status(400, "BadRequest", e.what()));
    }
    std::string name = pod["metadata"].value("name", "");
    std::unique_lock<std::mutex> lk(c_.mu);
    if (c_.pods.count(ns + "/" + name)) {
      ++c_.conflicts;
      return send(409, status(409, "AlreadyExists", "pods \"" + name + "\" already exists"));
    }
    ++c_.creates;
    auto p = std::make_shared<FakePod>();
    p->key = ns + "/" + name;
    pod["metadata"]["namespace"] = ns;
    pod["metadata"]["uid"] = "uid-" + std::to_string(c_.rv + 1);
    pod["metadata"]["creationTimestamp"] = now_rfc3339();
    pod["status"] = {{"phase", "Pending"}};
    p->object = pod;
    c_.pods[p->key] = p;
    c_.publish(*p, "ADDED");
    Json created = p->object;
    std::string dir = o_.work_dir + "/" + name;
    FakeCluster* cluster = &c_;
    p->kubelet = std::thread([cluster, p, dir] { run_kubelet(*cluster, p, dir); });
    lk.unlock();
    return send(201, created);
  }

  bool get(const std::string& ns, const std::string& name) {
    std::unique_lock<std::mutex> lk(c_.mu);
    auto it = c_.pods.find(ns + "/" + name);
    if (it == c_.pods.end())
      return send(404, status(404, "NotFound", "pods \"" + name + "\" not found"));
    Json obj = it->second->object;
    lk.unlock();
    return send(200, obj);
  }

  bool list(const std::string& ns, std::map<std::string, std::string>& q) {
    std::unique_lock<std::mutex> lk(c_.mu);
    ++c_.lists;
    Json items = Json::array();
    for (const auto& [key, p] : c_.pods) {
      if (key.rfind(ns + "/", 0) == 0 && matches(p->object, q["labelSelector"]))
        items.push_back(p->object);
    }
    Json out = {{"kind", "PodList"},
                {"apiVersion", "v1"},
                {"metadata", {{"resourceVersion", std::to_string(c_.rv)}}},
                {"items", items}};
    lk.unlock();
    return send(200, out);
  }

  bool remove(const std::string& ns, const std::string& name) {
    std::unique_lock<std::mutex> lk(c_.mu);
    auto it = c_.pods.find(ns + "/" + name);
    if (it == c_.pods.end())
      return send(404, status(404, "NotFound", "pods \"" + name + "\" not found"));
    ++c_.deletes;
    auto p = it->second;
    p->deleted = true;
    for (int pid : p->pids) ::kill(-pid, SIGKILL);  // gracePeriodSeconds=0
    for (auto& [n, l] : p->logs) l.done = true;
    c_.publish(*p, "DELETED");
    c_.pods.erase(it);
    Json obj = p->object;
    c_.cv.notify_all();
    // The kubelet thread ends once its processes are gone; join it without holding the lock.
    std::thread kubelet = std::move(p->kubelet);
    lk.unlock();
    if (kubelet.joinable()) kubelet.join();
    return send(200, obj);
  }

  // Chunked streaming response: header now, then chunk(), then finish().
  bool start_stream(const std::string& content_type) {
    http::response<http::empty_body> res(http::status::ok, 11);
    res.set(http::field::content_type, content_type);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr(res);
    beast::error_code ec;
    http::write_header(s_, sr, ec);
    return !ec;
  }
  bool chunk(const std::string& data) {
    if (data.empty()) return true;
    beast::error_code ec;
    asio::write(s_, http::make_chunk(asio::buffer(data)), ec);
    return !ec;
  }
  bool finish() {
    beast::error_code ec;
    asio::write(s_, http::make_chunk_last(), ec);
    return !ec;
  }

  bool watch(const std::string& ns, std::map<std::string, std::string>& q) {
    long long from = q.count("resourceVersion") && !q["resourceVersion"].empty()
                         ? std::stoll(q["resourceVersion"])
                         : -1;
    bool bookmarks = q["allowWatchBookmarks"] == "true";
    int timeout = q.count("timeoutSeconds") ? std::stoi(q["timeoutSeconds"]) : 1800;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    std::string selector = q["labelSelector"];
    std::unique_lock<std::mutex> lk(c_.mu);
    ++c_.watches;
    int drop_gen = c_.drop_gen, expire_gen = c_.expire_gen, stall_gen = c_.stall_gen;
    lk.unlock();
    if (!start_stream("application/json")) return false;
    lk.lock();
    auto gone = [&] {
      ++c_.gone_sent;
      return Json{{"type", "ERROR"},
                  {"object", status(410, "Expired",
                                    "too old resource version: " + std::to_string(from) + " (" +
                                        std::to_string(c_.compacted_rv) + ")")}}
                 .dump() +
             "\n";
    };
    if (from >= 0 && from < c_.compacted_rv) {
      std::string line = gone();
      lk.unlock();
      return chunk(line) && finish();
    }
    if (from < 0) from = c_.rv;  // "any": start from now
    std::size_t cursor = 0;
    while (cursor < c_.events.size() && c_.events[cursor].rv <= from) ++cursor;
    bool first = true;
    for (;;) {
      std::string out;
      for (; cursor < c_.events.size(); ++cursor) {
        const auto& e = c_.events[cursor];
        if (e.object["metadata"].value("namespace", "") != ns || !matches(e.object, selector))
          continue;
        out += Json{{"type", e.type}, {"object", e.object}}.dump() + "\n";
      }
      if (bookmarks && (first || !out.empty())) {
        ++c_.bookmarks_sent;
        out += Json{{"type", "BOOKMARK"},
                    {"object",
                     {{"kind", "Pod"},
                      {"apiVersion", "v1"},
                      {"metadata", {{"resourceVersion", std::to_string(c_.rv)}}}}}}
                   .dump() +
               "\n";
      }
      first = false;
      lk.unlock();
      if (!chunk(out)) return false;
      lk.lock();
      c_.cv.wait_until(lk, deadline, [&] {
        return c_.stopping || cursor < c_.events.size() || drop_gen != c_.drop_gen ||
               expire_gen != c_.expire_gen || stall_gen != c_.stall_gen;
      });
      if (stall_gen != c_.stall_gen && !c_.stopping) {
        // Blackholed: say nothing more, keep the connection open until the server stops.
        ++c_.stalled;
        c_.cv.wait(lk, [&] { return c_.stopping; });
      }
      if (c_.stopping || drop_gen != c_.drop_gen) return false;  // cut: no last chunk
      if (expire_gen != c_.expire_gen) {
        std::string line = gone();
        lk.unlock();
        return chunk(line) && finish();
      }
      if (std::chrono::steady_clock::now() >= deadline && cursor >= c_.events.size()) {
        lk.unlock();
        return finish();
      }
    }
  }

  bool log(const std::string& ns, const std::string& name, std::map<std::string, std::string>& q) {
    std::unique_lock<std::mutex> lk(c_.mu);
    ++c_.log_requests;
    auto it = c_.pods.find(ns + "/" + name);
    if (it == c_.pods.end())
      return send(404, status(404, "NotFound", "pods \"" + name + "\" not found"));
    auto p = it->second;
    std::string container = q["container"];
    auto l = p->logs.find(container);
    if (l == p->logs.end() || !l->second.started)
      return send(400, status(400, "BadRequest",
                              "container \"" + container + "\" in pod \"" + name +
                                  "\" is waiting to start: PodInitializing"));
    lk.unlock();
    if (!start_stream("text/plain")) return false;
    std::size_t offset = 0;
    bool follow = q["follow"] == "true";
    lk.lock();
    int drop_gen = c_.drop_logs_gen;
    for (;;) {
      auto& rec = p->logs[container];
      std::string out = rec.bytes.substr(offset);
      offset = rec.bytes.size();
      bool done = rec.done || p->deleted || !follow;
      lk.unlock();
      if (!chunk(out)) return false;
      if (done) return finish();
      lk.lock();
      c_.cv.wait(lk, [&] {
        auto& r = p->logs[container];
        return c_.stopping || r.bytes.size() > offset || r.done || p->deleted ||
               drop_gen != c_.drop_logs_gen;
      });
      if (c_.stopping || drop_gen != c_.drop_logs_gen) return false;  // cut: no last chunk
    }
  }

  Stream& s_;
  FakeCluster& c_;
  const FakeKubeOptions& o_;
  FakeKubeApi& api_;
};

template <class Stream>
void serve_stream(Stream& s, FakeCluster& c, const FakeKubeOptions& o, FakeKubeApi& api) {
  Session<Stream> session(s, c, o, api);
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) return;
    if (!session.handle(req) || !req.keep_alive()) return;
  }
}

}  // namespace

FakeKubeApi::FakeKubeApi(FakeKubeOptions options)
    : options_(std::move(options)), cluster_(std::make_shared<FakeCluster>()), impl_(new Impl) {
  if (!options_.cert_pem_file.empty()) {
    impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(options_.cert_pem_file);
    impl_->tls->use_private_key_file(options_.key_pem_file, ssl::context::pem);
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { accept_loop(); });
}

FakeKubeApi::~FakeKubeApi() {
  {
    std::lock_guard<std::mutex> l(cluster_->mu);
    cluster_->stopping = true;
    for (auto& [k, p] : cluster_->pods) {
      p->deleted = true;
      for (int pid : p->pids) ::kill(-pid, SIGKILL);
    }
  }
  cluster_->cv.notify_all();
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  {
    std::lock_guard<std::mutex> l(impl_->conn_mu);
    for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : impl_->conns) t.join();
  std::vector<std::shared_ptr<FakePod>> pods;
  {
    std::lock_guard<std::mutex> l(cluster_->mu);
    for (auto& [k, p] : cluster_->pods) pods.push_back(p);
  }
  for (auto& p : pods) {
    if (p->kubelet.joinable()) p->kubelet.join();
  }
}

std::string FakeKubeApi::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}

void FakeKubeApi::accept_loop() {
  for (;;) {
    tcp::socket sock(impl_->io);
    beast::error_code ec;
    impl_->acceptor.accept(sock, ec);
    if (ec) return;
    {
      std::lock_guard<std::mutex> l(cluster_->mu);
      if (cluster_->stopping) return;
    }
    int fd = sock.release(ec);
    if (ec) continue;
    std::lock_guard<std::mutex> l(impl_->conn_mu);
    impl_->fds.insert(fd);
    impl_->conns.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeKubeApi::serve(int fd) {
  asio::io_context io;
  tcp::socket sock(io);
  beast::error_code ec;
  sock.assign(tcp::v4(), fd, ec);
  if (!ec) {
    if (impl_->tls) {
      ssl::stream<tcp::socket&> s(sock, *impl_->tls);
      s.handshake(ssl::stream_base::server, ec);
      if (!ec) serve_stream(s, *cluster_, options_, *this);
    } else {
      serve_stream(sock, *cluster_, options_, *this);
    }
  }
  {
    std::lock_guard<std::mutex> l(impl_->conn_mu);
    impl_->fds.erase(fd);
  }
  sock.close(ec);  // closes fd
}

}  // namespace baton::testing
