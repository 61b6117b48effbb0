// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <compare>
#include <concepts>
#include <memory>
#include <optional>
#include <utility>

/// An optional value kept out of line: one pointer (8 bytes) instead of the value itself.
/// For rule options that most rules leave unset (a `std::optional<std::string>` is 40 bytes
/// in every rule). It behaves like `std::optional<T>` for what the code uses: has_value, bool,
/// *, ->, value, value_or, reset, emplace, assignment of a value or std::nullopt, and
/// comparisons (with another, with a value, with std::nullopt; unset sorts first). A value
/// converts explicitly (assignment of a value works as for std::optional). Copies
/// copy the value.
namespace vuurmuur::model {

template <typename T>
class BoxedOptional {
public:
    using value_type = T;

    BoxedOptional() noexcept = default;
    BoxedOptional(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor)
    BoxedOptional(const std::optional<T>& v) {  // NOLINT(google-explicit-constructor)
        if (v) p_ = std::make_unique<T>(*v);
    }
    template <typename U = T>
        requires std::constructible_from<T, U&&> &&
                 (!std::same_as<std::remove_cvref_t<U>, BoxedOptional>) &&
                 (!std::same_as<std::remove_cvref_t<U>, std::nullopt_t>) &&
                 (!std::same_as<std::remove_cvref_t<U>, std::optional<T>>)
    explicit BoxedOptional(U&& v) : p_(std::make_unique<T>(std::forward<U>(v))) {}
    template <typename U = T>
        requires std::constructible_from<T, U&&> &&
                 (!std::same_as<std::remove_cvref_t<U>, BoxedOptional>) &&
                 (!std::same_as<std::remove_cvref_t<U>, std::nullopt_t>) &&
                 (!std::same_as<std::remove_cvref_t<U>, std::optional<T>>)
    BoxedOptional& operator=(U&& v) {
        p_ = std::make_unique<T>(std::forward<U>(v));
        return *this;
    }

    BoxedOptional(const BoxedOptional& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    BoxedOptional(BoxedOptional&&) noexcept = default;
    BoxedOptional& operator=(const BoxedOptional& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    BoxedOptional& operator=(BoxedOptional&&) noexcept = default;
    BoxedOptional& operator=(std::nullopt_t) noexcept {
        p_.reset();
        return *this;
    }
    ~BoxedOptional() = default;

    bool has_value() const noexcept { return p_ != nullptr; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    T& operator*() & { return *p_; }
    const T& operator*() const& { return *p_; }
    T* operator->() { return p_.get(); }
    const T* operator->() const { return p_.get(); }
    T& value() & {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    const T& value() const& {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    template <typename U>
    T value_or(U&& fallback) const {
        return p_ ? *p_ : static_cast<T>(std::forward<U>(fallback));
    }
    void reset() noexcept { p_.reset(); }
    template <typename... Args>
    T& emplace(Args&&... args) {
        p_ = std::make_unique<T>(std::forward<Args>(args)...);
        return *p_;
    }
    /// The value as a std::optional (a copy).
    std::optional<T> get() const { return p_ ? std::optional<T>(*p_) : std::nullopt; }

    friend bool operator==(const BoxedOptional& a, const BoxedOptional& b) {
        if (!a.p_ || !b.p_) return !a.p_ && !b.p_;
        return *a.p_ == *b.p_;
    }
    friend auto operator<=>(const BoxedOptional& a, const BoxedOptional& b)
        -> std::compare_three_way_result_t<T> {
        if (a.p_ && b.p_) return *a.p_ <=> *b.p_;
        return a.has_value() <=> b.has_value();
    }
    friend bool operator==(const BoxedOptional& a, std::nullopt_t) noexcept { return !a.p_; }
    friend bool operator==(const BoxedOptional& a, const T& v) { return a.p_ && *a.p_ == v; }

private:
    std::unique_ptr<T> p_;
};

}  // namespace vuurmuur::model
