#pragma once
// Result<T>: the expected-like return type for failures a caller must handle.
// C++20 has no std::expected, so this is the minimal subset Baton needs.

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/common/check.h"
#include "engine/common/diagnostic.h"

namespace baton {

/// An error a caller is expected to handle: a human-readable message, optionally a code.
struct Error {
  std::string message;
  std::string code;         // machine-readable category ("not_found", "limit", ...), may be empty
  Diagnostics diagnostics;  // positioned details when the error is about user input
};

/// Wraps an Error so `return Fail("...")` converts into any Result<T>.
inline Error Fail(std::string message, std::string code = {}) {
  return Error{std::move(message), std::move(code), {}};
}

/// Either a value of T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    BATON_CHECK(ok(), "Result::value() on error: " + std::get<1>(v_).message);
    return std::get<0>(v_);
  }
  const T& value() const& {
    BATON_CHECK(ok(), "Result::value() on error: " + std::get<1>(v_).message);
    return std::get<0>(v_);
  }
  T&& value() && {
    BATON_CHECK(ok(), "Result::value() on error: " + std::get<1>(v_).message);
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    BATON_CHECK(!ok(), "Result::error() on success");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    BATON_CHECK(!ok_, "Result::error() on success");
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace baton
