#include "dashboard-api/http_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "dashboard-api/server_state.h"
#include "dashboard-api/session.h"

namespace baton::api {
namespace {

// Accepts connections on its own strand and hands each to a Session on a new strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(std::shared_ptr<net::io_context> ioc, std::shared_ptr<ServerState> state)
      : ioc_(std::move(ioc)),
        state_(std::move(state)),
        acceptor_(net::make_strand(*ioc_)),
        retry_(acceptor_.get_executor()) {}

  Status listen(const std::string& address, unsigned short port) {
    beast::error_code ec;
    const auto ip = net::ip::make_address(address, ec);
    if (ec) return Fail("invalid listen address '" + address + "': " + ec.message(), "config");
    const tcp::endpoint endpoint(ip, port);
    const std::string where = address + ":" + std::to_string(port);
    if (acceptor_.open(endpoint.protocol(), ec)) return Fail("open " + where + ": " + ec.message());
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec)) {
      return Fail("SO_REUSEADDR on " + where + ": " + ec.message());
    }
    if (acceptor_.bind(endpoint, ec)) return Fail("bind " + where + ": " + ec.message());
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) {
      return Fail("listen " + where + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return Fail("local endpoint of " + where + ": " + ec.message());
    return {};
  }

  unsigned short port() const { return port_; }

  void run() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  // Returns once the socket is closed, so a connect right after it is refused; from an I/O
  // thread (a handler) it cannot wait for the listener's strand and only schedules the close.
  void stop() {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> closed = done->get_future();
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this(), done] {
      self->stopped_ = true;
      beast::error_code ec;
      self->acceptor_.close(ec);  // the pending accept completes with operation_aborted
      self->retry_.cancel();
      done->set_value();
    });
    if (!ioc_->get_executor().running_in_this_thread()) closed.wait();
  }

 private:
  void do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(net::make_strand(*ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      start_session(ioc_, std::move(socket), state_);
      return do_accept();
    }
    // EMFILE and friends: the daemon keeps running; retry shortly instead of spinning.
    std::fprintf(stderr, "baton api: accept: %s\n", ec.message().c_str());
    retry_.expires_after(std::chrono::milliseconds(50));
    retry_.async_wait([self = shared_from_this()](beast::error_code) { self->do_accept(); });
  }

  std::shared_ptr<net::io_context> ioc_;
  std::shared_ptr<ServerState> state_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  unsigned short port_ = 0;
  bool stopped_ = false;
};

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<net::io_context> ioc;
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex shutdown_mu;
  bool shut_down = false;
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(ServerOptions options,
                                                      std::shared_ptr<const Router> router,
                                                      telemetry::Metrics* metrics) {
  BATON_CHECK(router != nullptr, "HttpServer needs a router");
  if (options.threads < 1) return Fail("server threads must be at least 1", "config");
  auto impl = std::make_unique<Impl>();
  impl->ioc = std::make_shared<net::io_context>(options.threads);
  const std::string address = options.address;
  const unsigned short port = options.port;
  const int threads = options.threads;
  impl->state = std::make_shared<ServerState>(std::move(options), std::move(router), metrics);
  impl->listener = std::make_shared<Listener>(impl->ioc, impl->state);
  if (Status listening = impl->listener->listen(address, port); !listening) {
    return listening.error();
  }
  // The guard keeps run() going while streams sit idle with no operation pending.
  impl->work.emplace(impl->ioc->get_executor());
  impl->listener->run();
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([ioc = impl->ioc] { ioc->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { shutdown(std::chrono::milliseconds(0)); }

unsigned short HttpServer::port() const { return impl_->listener->port(); }

void HttpServer::stop_accepting() {
  std::lock_guard lock(impl_->shutdown_mu);
  if (!impl_->shut_down) impl_->listener->stop();  // after shutdown no thread would run it
}

std::size_t HttpServer::connection_count() const { return impl_->state->size(); }

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->shutdown_mu);
  if (impl_->shut_down) return;
  impl_->listener->stop();
  impl_->shut_down = true;
  for (const auto& session : impl_->state->begin_drain()) session->drain();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  if (!impl_->state->wait_empty_until(deadline)) {
    for (const auto& session : impl_->state->sessions()) session->force_close();
    // Closing completes on each strand as soon as its handler (if one runs) returns.
    impl_->state->wait_empty_until(std::chrono::steady_clock::time_point::max());
  }
  // run() returns once the last lingering or refused connection has finished.
  impl_->work.reset();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

}  // namespace baton::api
