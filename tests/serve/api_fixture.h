#pragma once
// A real `baton serve` for the dashboard API tests: a diamond pipeline (a -> b, c -> d; c fails
// the first time it runs in a directory), a sleeping pipeline, a generic listener that starts
// either, and tokens of every role made with `baton token create`.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {

using Json = nlohmann::json;

/// An answer of the API, its body parsed when it is JSON.
struct ApiAnswer {
  int status = 0;
  std::string body;
  Json json;
  ClientResponse raw;
};

class ApiServer : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// One request on a new connection; `token` "" sends no Authorization header.
  ApiAnswer call(const std::string& method, const std::string& target,
                 const std::string& token = "", const std::string& body = "", Headers headers = {});
  /// Starts a run through the webhook; its run id.
  std::string start_run(const std::string& pipeline, const std::string& dir,
                        const std::string& seconds = "0");
  /// Polls the API until the run is terminal; its detail.
  Json wait_terminal(const std::string& run_id);
  /// Reads a streaming response on a raw socket until `until` appears in what was read or
  /// the deadline passes; everything read.
  std::string read_stream(const std::string& target, const std::string& token,
                          const std::string& until, Headers extra = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(15));

  std::string dir_;
  std::unique_ptr<ServeProcess> server_;
  std::map<std::string, std::string> tokens_;  // role -> token
  bool anonymous_read_ = false;
};

}  // namespace baton::serve_testing
