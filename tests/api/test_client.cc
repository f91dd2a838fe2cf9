#include "tests/api/test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "dashboard-api/request_target.h"

namespace baton::api::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct TestClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;

  // Runs the started operation to completion; tcp_stream's expiry bounds it.
  void run() {
    ioc.restart();
    ioc.run();
  }
};

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

TestClient::TestClient(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {}

TestClient::~TestClient() = default;

Status TestClient::connect(unsigned short port) {
  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  impl_->stream.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                              [&](beast::error_code ec) { result = ec; });
  impl_->run();
  if (result) return Fail("connect: " + result.message());
  return {};
}

Status TestClient::write_raw(const std::string& bytes) {
  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  net::async_write(impl_->stream, net::buffer(bytes),
                   [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  if (result) return Fail("write: " + result.message());
  return {};
}

Result<ClientResponse> TestClient::read_response() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  http::async_read(impl_->stream, impl_->buffer, parser,
                   [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  if (result) return Fail("read: " + result.message());
  ClientResponse response;
  response.status = parser.get().result_int();
  response.body = parser.get().body();
  response.keep_alive = parser.get().keep_alive();
  for (const auto& field : parser.get()) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return response;
}

Result<ClientResponse> TestClient::request(const std::string& method, const std::string& target,
                                           const std::string& body, const Headers& headers) {
  Headers all = headers;
  all.emplace_back("Content-Length", std::to_string(body.size()));
  if (Status sent = write_raw(raw_request(method, target, all, body)); !sent) return sent.error();
  return read_response();
}

bool TestClient::wait_closed() {
  beast::error_code result;
  bool done = false;
  std::function<void()> read_more = [&] {
    impl_->buffer.consume(impl_->buffer.size());
    impl_->stream.async_read_some(impl_->buffer.prepare(4096),
                                  [&](beast::error_code ec, std::size_t) {
                                    if (ec) {
                                      result = ec;
                                      done = true;
                                      return;
                                    }
                                    read_more();
                                  });
  };
  impl_->stream.expires_after(impl_->timeout);
  read_more();
  impl_->run();
  return done && result != beast::error::timeout;
}

std::string raw_request(const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace baton::api::testing
