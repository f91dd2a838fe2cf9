// Session: streaming answers (HttpResponse::on_stream), written as HTTP/1.1 chunks.
#include "dashboard-api/session.h"

namespace baton::api {
namespace {

// The handle a streaming handler keeps. It holds the session weakly so a forgotten handle does
// not keep a closed connection (and its io_context) alive.
class SessionStream final : public ResponseStream {
 public:
  explicit SessionStream(std::weak_ptr<Session> session) : session_(std::move(session)) {}
  bool write(std::string data) override {
    auto session = session_.lock();
    return session && session->stream_write(std::move(data));
  }
  void close() override {
    if (auto session = session_.lock()) session->stream_close();
  }
  bool is_open() const override {
    auto session = session_.lock();
    return session && session->stream_open();
  }

 private:
  std::weak_ptr<Session> session_;
};

// The header of a streaming answer and its serializer, alive until the header is written.
struct StreamHead {
  explicit StreamHead(http::status status) : message(status, 11) {}
  http::response<http::empty_body> message;
  http::response_serializer<http::empty_body> serializer{message};
};

}  // namespace

void Session::start_stream(HttpResponse response) {
  phase_ = Phase::kStreaming;
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  auto head = std::make_shared<StreamHead>(static_cast<http::status>(status));
  head->message.set(http::field::server, "baton");
  head->message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) head->message.insert(name, value);
  head->message.chunked(true);
  head->message.keep_alive(false);
  response_ = head;
  stream_.expires_never();  // a stream lasts as long as the client listens
  http::async_write_header(
      stream_, head->serializer,
      beast::bind_front_handler(&Session::on_stream_header, shared_from_this(),
                                std::move(response.on_stream), std::move(response.body)));
}

void Session::on_stream_header(std::function<void(std::shared_ptr<ResponseStream>)> on_stream,
                               std::string first_chunk, beast::error_code ec, std::size_t /*n*/) {
  record(std::static_pointer_cast<StreamHead>(response_)->message.result_int());
  response_.reset();
  if (ec) return do_close();
  if (!first_chunk.empty()) stream_write(std::move(first_chunk));
  do_watch_client();
  try {
    on_stream(std::make_shared<SessionStream>(weak_from_this()));
  } catch (...) {
    stream_close();  // a failing stream handler ends its stream, not the server
  }
  if (state_->draining()) stream_close();
}

// The client sends nothing on a stream; a read completes when it leaves (or misbehaves).
void Session::do_watch_client() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->do_close();
                            self->do_watch_client();
                          });
}

bool Session::stream_write(std::string data) {
  std::lock_guard lock(stream_mu_);
  if (closed_ || end_requested_) return false;
  if (data.empty()) return true;  // an empty chunk would end the body
  if (queued_bytes_ + data.size() > state_->options().stream_buffer_limit) {
    // A client this slow is dropped rather than buffered without bound.
    end_requested_ = true;
    chunks_.clear();
    queued_bytes_ = 0;
    net::post(executor_, [self = shared_from_this()] { self->do_close(); });
    return false;
  }
  queued_bytes_ += data.size();
  chunks_.push_back(std::move(data));
  if (!chunk_in_flight_) {
    chunk_in_flight_ = true;
    net::post(executor_, [self = shared_from_this()] { self->do_write_chunk(); });
  }
  return true;
}

void Session::stream_close() {
  std::lock_guard lock(stream_mu_);
  if (closed_ || end_requested_) return;
  end_requested_ = true;
  if (!chunk_in_flight_) {
    chunk_in_flight_ = true;
    net::post(executor_, [self = shared_from_this()] { self->do_write_chunk(); });
  }
}

bool Session::stream_open() const {
  std::lock_guard lock(stream_mu_);
  return !closed_ && !end_requested_;
}

void Session::do_write_chunk() {
  std::unique_lock lock(stream_mu_);
  if (closed_) return;
  stream_.expires_after(state_->options().write_timeout);  // the pending watch read keeps none
  if (chunks_.empty()) {
    if (!end_requested_) {
      chunk_in_flight_ = false;
      return;
    }
    lock.unlock();
    net::async_write(
        stream_, http::make_chunk_last(),
        [self = shared_from_this()](beast::error_code, std::size_t) { self->do_close(); });
    return;
  }
  writing_ = std::move(chunks_.front());
  chunks_.pop_front();
  queued_bytes_ -= writing_.size();
  lock.unlock();
  net::async_write(stream_, http::make_chunk(net::buffer(writing_)),
                   beast::bind_front_handler(&Session::on_chunk_written, shared_from_this()));
}

void Session::on_chunk_written(beast::error_code ec, std::size_t /*n*/) {
  if (ec) return do_close();
  do_write_chunk();
}

}  // namespace baton::api
