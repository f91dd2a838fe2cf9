#include "dashboard-api/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace baton::api {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<ServerUrl> parse_server_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0)
    return Fail("--server wants http://HOST:PORT, got \"" + url + "\"");
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return Fail("--server wants http://HOST:PORT (no path), got \"" + url + "\"");
  }
  ServerUrl out;
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  } else if (colon != std::string::npos && colon > rest.find(']')) {
    out.host = rest.substr(1, rest.find(']') - 1);
    out.port = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return Fail("--server wants http://HOST:PORT, got \"" + url + "\"");
  }
  return out;
}

namespace {

http::request<http::string_body> make_request(const ServerUrl& server, http::verb verb,
                                              const std::string& target, const std::string& token,
                                              const std::string& body) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, server.host + ":" + server.port);
  req.set(http::field::user_agent, "baton");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

}  // namespace

Result<ClientAnswer> http_call(const ServerUrl& server, const std::string& method,
                               const std::string& target, const std::string& token,
                               const std::string& body, std::chrono::milliseconds timeout) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(server.host, server.port));
    http::write(stream, make_request(server, http::string_to_verb(method), target, token, body));
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return ClientAnswer{static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception& e) {  // Beast reports I/O errors by exception here
    return Fail("http://" + server.host + ":" + server.port + ": " + e.what());
  }
}

Status http_follow(const ServerUrl& server, const std::string& target, const std::string& token,
                   const std::string& last_event_id,
                   const std::function<bool(const SseEvent&)>& on_event) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(server.host, server.port));
    auto req = make_request(server, http::verb::get, target, token, "");
    req.set(http::field::accept, "text/event-stream");
    if (!last_event_id.empty()) req.set("Last-Event-ID", last_event_id);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    http::read_header(stream, buffer, parser);
    if (parser.get().result_int() != 200) {
      http::response_parser<http::string_body> rest(std::move(parser));
      http::read(stream, buffer, rest);
      return Fail("the server answered " + std::to_string(rest.get().result_int()) + ": " +
                  rest.get().body());
    }
    std::string pending;
    SseEvent ev;
    char chunk[8192];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      stream.expires_never();  // a followed log may be quiet for long; the server keeps it alive
      beast::error_code ec;
      http::read(stream, buffer, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) break;
      pending.append(chunk, sizeof chunk - parser.get().body().size);
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
          if (!ev.data.empty() || !ev.event.empty()) {
            if (!ev.data.empty() && ev.data.back() == '\n') ev.data.pop_back();
            if (!on_event(ev)) return {};
          }
          ev = SseEvent{};
          continue;
        }
        if (line[0] == ':') continue;
        auto colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") ev.id = value;
        if (field == "event") ev.event = value;
        if (field == "data") ev.data += value + "\n";
      }
    }
    return {};
  } catch (const std::exception& e) {
    return Fail("http://" + server.host + ":" + server.port + ": " + e.what());
  }
}

}  // namespace baton::api
