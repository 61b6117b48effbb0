// SPDX-License-Identifier: GPL-2.0-or-later
//
// model::BoxedOptional, which keeps the rarely set rule options out of line (peak memory of
// the compile), must behave like the std::optional it replaced: RuleOptions compares with
// its defaulted <=>, and copies of a rule must not share an option.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/model/boxed_optional.h"
#include "vuurmuur/model/rule.h"

using vuurmuur::model::BoxedOptional;

TEST_CASE("BoxedOptional compares and orders like std::optional", "[compile][memory]") {
    const std::vector<std::optional<std::string>> values{std::nullopt, std::string(), "a", "b", "ab"};
    for (const auto& x : values) {
        for (const auto& y : values) {
            BoxedOptional<std::string> bx(x), by(y);
            INFO((x ? "'" + *x + "'" : "unset") << " vs " << (y ? "'" + *y + "'" : "unset"));
            CHECK((bx == by) == (x == y));
            CHECK(((bx <=> by) < 0) == (x < y));
            CHECK(((bx <=> by) > 0) == (x > y));
            if (y) CHECK((bx == *y) == (x == *y));
            CHECK((bx == std::nullopt) == !x.has_value());
            CHECK(bx.get() == x);
        }
    }
}

TEST_CASE("BoxedOptional copies the value, assigns and resets like std::optional", "[compile][memory]") {
    BoxedOptional<std::string> a;
    CHECK_FALSE(a.has_value());
    CHECK(a.value_or("none") == "none");
    CHECK_THROWS_AS(a.value(), std::bad_optional_access);
    a = "web";
    REQUIRE(a);
    CHECK(*a == "web");
    BoxedOptional<std::string> b = a;
    *b += "-out";
    CHECK(*a == "web");
    CHECK(*b == "web-out");
    CHECK(a.value_or("none") == "web");
    a = std::nullopt;
    CHECK_FALSE(a);
    b.reset();
    CHECK(a == b);
    b.emplace(3, 'x');
    CHECK(b == std::string("xxx"));
    BoxedOptional<std::string> c = std::move(b);
    CHECK(c == std::string("xxx"));
}

TEST_CASE("rule options keep their order and equality with boxed members", "[compile][memory]") {
    vuurmuur::model::RuleOptions unset, with_comment, other_comment;
    with_comment.comment = "a";
    other_comment.comment = "b";
    CHECK(unset < with_comment);
    CHECK(with_comment < other_comment);
    CHECK(with_comment != other_comment);
    vuurmuur::model::RuleOptions copy = with_comment;
    CHECK(copy == with_comment);
    copy.listenport = std::vector<vuurmuur::model::PortRange>{{80, 80}};
    CHECK(copy != with_comment);
    CHECK_FALSE(with_comment.listenport.has_value());
}
