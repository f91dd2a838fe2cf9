#include "dashboard-api/session.h"

#include <algorithm>

#include "dashboard-api/request_target.h"
#include "engine/telemetry/metrics.h"

namespace baton::api {
namespace {

// Route label of answers given before routing (malformed, too large, overloaded).
constexpr std::string_view kInvalidRoute = "invalid";
constexpr std::size_t kFirstReadSize = 4096;
// A closing connection drains at most this long, and at most body_limit + 64 KiB.
constexpr std::chrono::milliseconds kLingerTimeout{2000};

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

std::string peer_of(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return peer.address().to_string() + ":" + std::to_string(peer.port());
}

}  // namespace

void start_session(std::shared_ptr<net::io_context> ioc, tcp::socket socket,
                   std::shared_ptr<ServerState> state) {
  auto session = std::make_shared<Session>(std::move(ioc), std::move(socket), std::move(state));
  session->run();
}

Session::Session(std::shared_ptr<net::io_context> ioc, tcp::socket socket,
                 std::shared_ptr<ServerState> state)
    : ioc_(std::move(ioc)),
      stream_(std::move(socket)),
      executor_(stream_.get_executor()),
      state_(std::move(state)),
      remote_(peer_of(stream_.socket())) {}

Session::~Session() {
  if (registered_) state_->remove(this);
}

void Session::run() {
  // Beast's accept completes on the listener's strand; everything else runs on ours.
  net::dispatch(executor_, [self = shared_from_this()] {
    self->registered_ = self->state_->add(self.get(), self);
    if (self->registered_) return self->do_wait_request();
    if (self->state_->draining()) return self->do_close();
    self->reject_overloaded();
  });
}

void Session::reject_overloaded() {
  method_.clear();
  route_ = kInvalidRoute;
  started_ = Clock::now();
  send(json_error(503, "server overloaded: too many connections"), true);
}

void Session::drain() {
  net::post(executor_, [self = shared_from_this()] {
    if (self->phase_ == Phase::kIdle) return self->do_close();
    if (self->phase_ == Phase::kStreaming) self->stream_close();
    // Reading, handling or writing: on_write sees draining() and closes after the answer.
  });
}

void Session::force_close() {
  net::post(executor_, [self = shared_from_this()] { self->do_close(); });
}

void Session::do_wait_request() {
  if (buffer_.size() > 0) return do_read_request();  // a pipelined request is already here
  phase_ = Phase::kIdle;
  stream_.expires_after(state_->options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadSize),
                          beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
}

void Session::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) return do_close();  // client closed, idle timeout or drain
  buffer_.commit(n);
  do_read_request();
}

void Session::do_read_request() {
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->body_limit(state_->options().body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(state_->options().header_limit));
  stream_.expires_after(state_->options().read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t /*n*/) {
  started_ = Clock::now();
  route_ = kInvalidRoute;
  method_ = parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
  if (ec == http::error::body_limit) {
    return send(json_error(413, "request body exceeds " +
                                    std::to_string(state_->options().body_limit) + " bytes"),
                true);
  }
  if (ec == http::error::header_limit) {
    return send(json_error(431, "request headers too large"), true);
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return do_close();
  if (ec && is_parse_error(ec))
    return send(json_error(400, "malformed request: " + ec.message()), true);
  if (ec) return do_close();  // reset, timeout, drain
  handle_request();
}

void Session::handle_request() {
  phase_ = Phase::kHandling;
  http::request<http::string_body> message = parser_->release();
  parser_.reset();
  const std::string_view raw_target(message.target().data(), message.target().size());
  auto target = parse_target(raw_target);
  if (!target) return send(json_error(400, target.error().message), true);

  HttpRequest request;
  request.method = method_;
  request.target = std::string(raw_target);
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote = remote_;
  HttpResponse response = state_->router().dispatch(request, route_);
  if (response.on_stream) return start_stream(std::move(response));
  send(std::move(response), !message.keep_alive());
}

void Session::send(HttpResponse response, bool close) {
  phase_ = Phase::kWriting;
  close = close || state_->draining();
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  auto message =
      std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
  message->set(http::field::server, "baton");
  message->set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message->insert(name, value);
  message->body() = std::move(response.body);
  message->keep_alive(!close);
  message->prepare_payload();
  response_ = message;
  stream_.expires_after(state_->options().write_timeout);
  http::async_write(stream_, *message,
                    beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
}

void Session::on_write(bool close, beast::error_code ec, std::size_t /*n*/) {
  const auto& message = *std::static_pointer_cast<http::response<http::string_body>>(response_);
  record(message.result_int());
  response_.reset();
  if (ec) return do_close();
  if (close || state_->draining()) return do_linger();
  do_wait_request();
}

void Session::record(int status) {
  if (telemetry::Metrics* metrics = state_->metrics()) {
    metrics->http_request(method_, route_, status, Clock::now() - started_);
  }
}

void Session::do_linger() {
  phase_ = Phase::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return do_close();
  buffer_.consume(buffer_.size());
  stream_.expires_after(kLingerTimeout);
  stream_.async_read_some(buffer_.prepare(64 << 10),
                          beast::bind_front_handler(&Session::on_linger, shared_from_this()));
}

void Session::on_linger(beast::error_code ec, std::size_t n) {
  lingered_ += n;
  if (ec || lingered_ > state_->options().body_limit + (64 << 10)) return do_close();
  stream_.async_read_some(buffer_.prepare(64 << 10),
                          beast::bind_front_handler(&Session::on_linger, shared_from_this()));
}

void Session::do_close() {
  {
    std::lock_guard lock(stream_mu_);
    if (closed_) return;
    closed_ = true;
  }
  phase_ = Phase::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);  // ENOTCONN when the peer left
  stream_.close();
  if (registered_) {
    registered_ = false;
    state_->remove(this);
  }
}

}  // namespace baton::api
