#include "runners/kubernetes/kube_client.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <sstream>

namespace baton::runners::kube {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Url {
  bool tls = true;
  std::string host, port, prefix;
};

Result<Url> parse_url(const std::string& s) {
  Url u;
  std::string rest;
  if (s.rfind("https://", 0) == 0) {
    rest = s.substr(8);
  } else if (s.rfind("http://", 0) == 0) {
    u.tls = false;
    rest = s.substr(7);
  } else {
    return Fail("server \"" + s + "\": want https://host[:port] or http://host[:port]");
  }
  std::size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) u.prefix = rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
  if (!hostport.empty() && hostport.front() == '[') {  // [v6]:port
    std::size_t close = hostport.find(']');
    if (close == std::string::npos) return Fail("server \"" + s + "\": bad IPv6 host");
    u.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':')
      u.port = hostport.substr(close + 2);
  } else if (std::size_t colon = hostport.rfind(':'); colon != std::string::npos) {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  } else {
    u.host = hostport;
  }
  if (u.host.empty()) return Fail("server \"" + s + "\": no host");
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

bool is_ip(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string read_token(const KubeConfig& c) {
  if (c.token_file.empty()) return c.token;
  std::ifstream in(c.token_file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t.empty() ? c.token : t;
}

}  // namespace

struct KubeClient::Impl {
  Url url;
  std::string url_error;
  std::unique_ptr<ssl::context> tls;
  std::string tls_error;
  std::mutex mu;
  std::set<int> fds;
  bool aborted = false;

  bool track(int fd) {
    std::lock_guard<std::mutex> l(mu);
    if (aborted) return false;
    fds.insert(fd);
    return true;
  }
  void untrack(int fd) {
    std::lock_guard<std::mutex> l(mu);
    fds.erase(fd);
  }
};

KubeClient::KubeClient(KubeConfig config, KubeTimeouts timeouts)
    : config_(std::move(config)), timeouts_(timeouts), impl_(new Impl) {
  auto url = parse_url(config_.server);
  if (!url.ok()) {
    impl_->url_error = url.error().message;
    return;
  }
  impl_->url = *url;
  if (!url->tls) return;
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    if (config_.insecure_skip_tls_verify) {
      ctx->set_verify_mode(ssl::verify_none);
    } else {
      ctx->set_verify_mode(ssl::verify_peer);
      if (!config_.ca_pem.empty()) {
        ctx->add_certificate_authority(asio::buffer(config_.ca_pem));
      } else {
        ctx->set_default_verify_paths();
      }
    }
    if (!config_.client_cert_pem.empty()) {
      ctx->use_certificate_chain(asio::buffer(config_.client_cert_pem));
      ctx->use_private_key(asio::buffer(config_.client_key_pem), ssl::context::pem);
    }
    impl_->tls = std::move(ctx);
  } catch (const boost::system::system_error& e) {
    impl_->tls_error = std::string("TLS setup: ") + e.what();
  }
}

KubeClient::~KubeClient() = default;

void KubeClient::abort() {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->aborted = true;
  // shutdown() (not close) wakes a thread blocked in read on that socket; it closes it itself.
  for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);
}

namespace {

// Runs one asynchronous operation to completion on `io` (a call owns its io_context): the
// async form is what lets beast::tcp_stream bound it with a deadline.
template <class Start>
beast::error_code run_op(asio::io_context& io, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

std::string seconds(std::chrono::milliseconds ms) {
  std::ostringstream out;
  out << static_cast<double>(ms.count()) / 1000 << " s";
  return out.str();
}

// "read: <why>", naming the limit when a deadline fired.
Error io_error(const std::string& stage, const beast::error_code& ec,
               std::chrono::milliseconds limit, const std::string& limit_name) {
  if (ec == beast::error::timeout)
    return Fail(stage + ": no answer within " + seconds(limit) + " (" + limit_name + ")",
                "timeout");
  return Fail(stage + ": " + ec.message(), "io");
}

template <class Stream>
Result<HttpResponse> exchange(asio::io_context& io, Stream& s, beast::tcp_stream& lowest,
                              http::request<http::string_body>& req,
                              const std::function<bool(std::string_view)>& on_body,
                              const KubeTimeouts& t, std::chrono::milliseconds idle) {
  // One deadline for writing the request and reading the headers (the whole response for a
  // plain call); a stream's body then gets `idle` per piece.
  lowest.expires_after(t.request);
  auto ec = run_op(io, [&](auto h) { http::async_write(s, req, std::move(h)); });
  if (ec) return io_error("write", ec, t.request, "request timeout");
  beast::flat_buffer buf;
  http::response_parser<http::buffer_body> p;
  p.body_limit(std::uint64_t{1} << 40);  // watches and logs stream for long
  ec = run_op(io, [&](auto h) { http::async_read_header(s, buf, p, std::move(h)); });
  if (ec) return io_error("read", ec, t.request, "request timeout");
  HttpResponse out;
  out.status = p.get().result_int();
  bool stream = on_body && out.status / 100 == 2;
  if (idle.count() <= 0) idle = t.request;
  char tmp[16384];
  while (!p.is_done()) {
    p.get().body().data = tmp;
    p.get().body().size = sizeof(tmp);
    if (stream) lowest.expires_after(idle);
    // Returns with what arrived: streams are live.
    ec = run_op(io, [&](auto h) { http::async_read_some(s, buf, p, std::move(h)); });
    if (ec == http::error::need_buffer) ec = {};
    std::size_t n = sizeof(tmp) - p.get().body().size;
    if (n > 0) {
      std::string_view piece(tmp, n);
      if (stream) {
        if (!on_body(piece)) return out;  // the caller has what it wanted
      } else if (out.body.size() < (1u << 24)) {
        out.body.append(piece);
      }
    }
    if (ec)
      return stream ? io_error("read", ec, idle, "idle timeout")
                    : io_error("read", ec, t.request, "request timeout");
  }
  return out;
}

}  // namespace

Result<HttpResponse> KubeClient::request(const std::string& method, const std::string& target,
                                         const std::string& body,
                                         const std::function<bool(std::string_view)>& on_body,
                                         std::chrono::milliseconds idle) {
  if (!impl_->url_error.empty()) return Fail(impl_->url_error, "config");
  if (!impl_->tls_error.empty()) return Fail(impl_->tls_error, "config");
  const Url& u = impl_->url;
  http::request<http::string_body> req(http::string_to_verb(method), u.prefix + target, 11);
  req.set(http::field::host, u.host);
  req.set(http::field::user_agent, "baton");
  req.set(http::field::accept, "application/json");
  std::string token = read_token(config_);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();

  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(u.host, u.port, ec);
  if (ec) return Fail("resolve " + u.host + ": " + ec.message(), "io");
  std::string where = method + " " + config_.server + target + ": ";
  const KubeTimeouts& t = timeouts_;
  auto run = [&](auto& stream, beast::tcp_stream& lowest) -> Result<HttpResponse> {
    lowest.expires_after(t.connect);
    ec = run_op(io, [&](auto h) { lowest.async_connect(endpoints, std::move(h)); });
    if (ec)
      return Fail(where + io_error("connect", ec, t.connect, "connect timeout").message,
                  ec == beast::error::timeout ? "timeout" : "io");
    int fd = lowest.socket().native_handle();
    if (!impl_->track(fd)) return Fail(where + "aborted", "aborted");
    struct Untrack {
      Impl* impl;
      int fd;
      ~Untrack() { impl->untrack(fd); }
    } untrack{impl_.get(), fd};
    if constexpr (!std::is_same_v<std::decay_t<decltype(stream)>, beast::tcp_stream>) {
      // SNI; SSL_set_tlsext_host_name is a macro with a C cast, hence the direct ctrl call.
      if (!is_ip(u.host))
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(u.host.c_str()));
      if (!config_.insecure_skip_tls_verify)
        stream.set_verify_callback(ssl::host_name_verification(u.host));
      ec = run_op(io,
                  [&](auto h) { stream.async_handshake(ssl::stream_base::client, std::move(h)); });
      if (ec) {
        if (ec == beast::error::timeout)
          return Fail(where + "TLS handshake: no answer within " + seconds(t.connect) +
                          " (connect timeout)",
                      "timeout");
        return Fail(where + "TLS handshake: " + ec.message(), "io");
      }
    }
    auto r = exchange(io, stream, lowest, req, on_body, t, idle);
    {
      std::lock_guard<std::mutex> l(impl_->mu);
      if (impl_->aborted) return Fail(where + "aborted", "aborted");
    }
    if (!r.ok()) return Fail(where + r.error().message, r.error().code);
    return r;
  };
  if (!u.tls) {
    beast::tcp_stream plain(io);
    return run(plain, plain);
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, *impl_->tls);
  return run(stream, beast::get_lowest_layer(stream));
}

Error http_error(const HttpResponse& r, const std::string& what) {
  std::string msg;
  try {
    Json j = Json::parse(r.body);
    msg = j.value("message", "");
  } catch (const Json::exception&) {
    msg = r.body.substr(0, 200);
  }
  std::string code = r.status == 409   ? "conflict"
                     : r.status == 404 ? "not_found"
                     : r.status == 410 ? "gone"
                     : r.status == 401 ? "unauthorized"
                     : r.status == 403 ? "forbidden"
                                       : "http";
  std::string hint;
  if (r.status == 401) hint = " (the token or client certificate was not accepted)";
  if (r.status == 403) hint = " (RBAC: see docker/kubernetes/rbac.yaml)";
  return Fail(what + ": HTTP " + std::to_string(r.status) + hint + (msg.empty() ? "" : ": " + msg),
              code);
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

namespace {

std::string pods_path(const std::string& ns) { return "/api/v1/namespaces/" + ns + "/pods"; }

Result<Json> parse_body(const HttpResponse& r, const std::string& what) {
  try {
    return Json::parse(r.body);
  } catch (const Json::exception& e) {
    return Fail(what + ": response is not JSON: " + e.what(), "io");
  }
}

}  // namespace

Result<Json> KubeClient::create_pod(const std::string& ns, const Json& pod) {
  auto r = request("POST", pods_path(ns), pod.dump());
  if (!r.ok()) return r.error();
  if (r->status / 100 != 2) return http_error(*r, "create pod");
  return parse_body(*r, "create pod");
}

Result<Json> KubeClient::get_pod(const std::string& ns, const std::string& name) {
  auto r = request("GET", pods_path(ns) + "/" + name);
  if (!r.ok()) return r.error();
  if (r->status != 200) return http_error(*r, "get pod " + name);
  return parse_body(*r, "get pod");
}

Result<Json> KubeClient::list_pods(const std::string& ns, const std::string& selector) {
  auto r = request("GET", pods_path(ns) + "?labelSelector=" + url_encode(selector));
  if (!r.ok()) return r.error();
  if (r->status != 200) return http_error(*r, "list pods");
  return parse_body(*r, "list pods");
}

Result<void> KubeClient::delete_pod(const std::string& ns, const std::string& name,
                                    int grace_seconds) {
  auto r = request("DELETE", pods_path(ns) + "/" + name +
                                 "?gracePeriodSeconds=" + std::to_string(grace_seconds));
  if (!r.ok()) return r.error();
  if (r->status == 404 || r->status / 100 == 2) return {};
  return http_error(*r, "delete pod " + name);
}

Result<void> KubeClient::watch_pods(const std::string& ns, const std::string& selector,
                                    const std::string& resource_version, int timeout_seconds,
                                    const std::function<bool(const Json&)>& on_event) {
  std::string target =
      pods_path(ns) + "?watch=true&allowWatchBookmarks=true&labelSelector=" + url_encode(selector) +
      "&timeoutSeconds=" + std::to_string(timeout_seconds);
  if (!resource_version.empty()) target += "&resourceVersion=" + url_encode(resource_version);
  std::string pending;
  std::string parse_error;
  // Events are JSON objects, one per line; chunk boundaries do not follow events.
  auto r = request(
      "GET", target, {},
      [&](std::string_view piece) {
        pending.append(piece);
        std::size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
          std::string line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
          Json ev;
          try {
            ev = Json::parse(line);
          } catch (const Json::exception& e) {
            parse_error = std::string("watch: bad event: ") + e.what();
            return false;
          }
          if (!on_event(ev)) return false;
        }
        return true;
      },
      std::chrono::seconds(timeout_seconds) + timeouts_.watch_slack);
  if (!r.ok()) return r.error();
  if (!parse_error.empty()) return Fail(parse_error, "io");
  if (r->status != 200) return http_error(*r, "watch pods");
  return {};
}

Result<void> KubeClient::stream_log(const std::string& ns, const std::string& pod,
                                    const std::string& container,
                                    const std::function<void(std::string_view)>& on_bytes) {
  auto r = request(
      "GET", pods_path(ns) + "/" + pod + "/log?follow=true&container=" + url_encode(container), {},
      [&](std::string_view piece) {
        on_bytes(piece);
        return true;
      },
      timeouts_.log_idle);
  if (!r.ok()) return r.error();
  if (r->status != 200) return http_error(*r, "log of " + pod + "/" + container);
  return {};
}

}  // namespace baton::runners::kube
