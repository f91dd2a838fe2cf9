#pragma once
// Session: one HTTP/1.1 connection on its own strand (Beast's async server structure: do_x
// starts an operation, on_x is its completion). Private to dashboard-api; includes Beast.
//
// Life of a connection: wait for the first byte of the next request (idle timeout) → read it
// (read timeout, body limit) → run the router's handler → write the answer (write timeout) →
// again, or close. A streaming answer (HttpResponse::on_stream) ends the loop: chunks queued by
// ResponseStream::write from any thread are written in order until the stream is closed.
// A connection that must close after an answer half-closes and drains what the client still
// sends ("lingering close"), so a client still uploading a refused body reads our 413
// instead of a reset.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dashboard-api/server_state.h"

namespace baton::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// Starts serving an accepted connection (`socket` must use a strand executor). When the server
/// is full the client gets a 503; when it is draining the connection is closed at once.
void start_session(std::shared_ptr<net::io_context> ioc, tcp::socket socket,
                   std::shared_ptr<ServerState> state);

/// One connection; see the file comment.
class Session : public SessionControl, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<net::io_context> ioc, tcp::socket socket,
          std::shared_ptr<ServerState> state);
  ~Session() override;

  void run();
  void reject_overloaded();
  void drain() override;
  void force_close() override;

  // Called by ResponseStream from any thread.
  bool stream_write(std::string data);
  void stream_close();
  bool stream_open() const;

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kStreaming, kClosing };
  using Clock = std::chrono::steady_clock;

  void do_wait_request();
  void on_first_bytes(beast::error_code ec, std::size_t n);
  void do_read_request();
  void on_read(beast::error_code ec, std::size_t n);
  void handle_request();
  void send(HttpResponse response, bool close);
  void on_write(bool close, beast::error_code ec, std::size_t n);
  void record(int status);
  void do_linger();
  void on_linger(beast::error_code ec, std::size_t n);
  void do_close();

  // Streaming (session_stream.cc).
  void start_stream(HttpResponse response);
  void on_stream_header(std::function<void(std::shared_ptr<ResponseStream>)> on_stream,
                        std::string first_chunk, beast::error_code ec, std::size_t n);
  void do_watch_client();
  void do_write_chunk();
  void on_chunk_written(beast::error_code ec, std::size_t n);

  // Declared first so it is destroyed last: sockets must die before their io_context.
  std::shared_ptr<net::io_context> ioc_;
  beast::tcp_stream stream_;
  net::any_io_executor executor_;  // the connection's strand
  std::shared_ptr<ServerState> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<void> response_;  // the message being written, kept alive by the write
  Phase phase_ = Phase::kIdle;
  bool registered_ = false;
  std::string remote_;
  std::string method_;
  std::string route_;
  Clock::time_point started_;
  std::size_t lingered_ = 0;

  // Stream state, shared with writer threads.
  mutable std::mutex stream_mu_;
  bool closed_ = false;         // socket closed; nothing may be posted any more
  bool end_requested_ = false;  // close() called or drain: send the last chunk
  bool chunk_in_flight_ = false;
  std::deque<std::string> chunks_;
  std::size_t queued_bytes_ = 0;
  std::string writing_;  // the chunk being written
};

}  // namespace baton::api
