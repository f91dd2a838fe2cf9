#include "dashboard-api/request_target.h"

#include <optional>

namespace baton::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Decodes one raw path segment; nullopt with `why` set when the segment is refused.
std::optional<std::string> decode_segment(std::string_view raw, std::string& why) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    const int hi = i + 2 < raw.size() ? hex_value(raw[i + 1]) : -1;
    const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      why = "malformed percent-escape in path";
      return std::nullopt;
    }
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '/' || c == '\\') {
      why = "encoded slash in path";
      return std::nullopt;
    }
    if (c == '\0') {
      why = "encoded NUL in path";
      return std::nullopt;
    }
    out += c;
    i += 2;
  }
  if (out == "." || out == "..") {
    why = "dot-segment in path";
    return std::nullopt;
  }
  return out;
}

}  // namespace

Result<ParsedTarget> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Fail("request-target must start with '/'", "bad_target");
  }
  ParsedTarget parsed;
  std::string_view raw_path = target;
  if (const auto q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    parsed.query = std::string(target.substr(q + 1));
  }
  if (const auto hash = raw_path.find('#'); hash != std::string_view::npos) {
    return Fail("fragment in request-target", "bad_target");
  }
  parsed.path.reserve(raw_path.size());
  std::size_t start = 1;  // after the leading '/'
  while (true) {
    const std::size_t slash = raw_path.find('/', start);
    const std::string_view raw = raw_path.substr(start, slash - start);
    std::string why;
    std::optional<std::string> segment = decode_segment(raw, why);
    if (!segment) return Fail(why, "bad_target");
    parsed.path += '/';
    parsed.path += *segment;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parsed;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace baton::api
