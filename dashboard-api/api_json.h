#pragma once
// The JSON shapes of docs/design/dashboard-api.md (RunSummary, RunDetail, Task, Attempt,
// Delivery), built from store rows. nlohmann_json appears only in dashboard-api's .cc files and
// this header, which only api_*.cc include.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dashboard-api/api_context.h"
#include "engine/common/result.h"
#include "engine/store/records.h"

namespace baton::api {

using Json = nlohmann::json;

/// A result value: a string when it is valid UTF-8, else {"base64": "..."}.
Json bytes_json(const std::string& bytes);
/// A JSON text column parsed (an empty object when it is not JSON).
Json parse_or_empty(const std::string& text);
/// RunSummary.
Json run_summary(const store::RunRecord& run);
/// An Attempt, with its steps (read from the store).
Result<Json> attempt_json(store::RunStore& store, const store::TaskRunRecord& tr);
/// RunDetail: the summary plus params, results, labels, annotations, retries and the DAG.
Result<Json> run_detail(const ApiContext& ctx, const store::RunRecord& run);
/// The Task entry of one pipeline task of a run (for the approval answer).
Result<Json> task_json(const ApiContext& ctx, const store::RunRecord& run, const std::string& task);
/// Delivery.
Result<Json> delivery_json(store::RunStore& store, const store::DeliveryRecord& d);
/// The decoded name=value pairs of a query string (first wins; '+' is a space).
std::map<std::string, std::string> query_params(const std::string& query);
/// A decimal integer, or nullopt.
std::optional<std::int64_t> parse_int(const std::string& text);

/// Opaque cursors: "<created_at>.<id>" base64url-encoded; nullopt when malformed.
std::string encode_cursor(const store::RunCursor& c);
std::optional<store::RunCursor> decode_cursor(const std::string& text);

}  // namespace baton::api
