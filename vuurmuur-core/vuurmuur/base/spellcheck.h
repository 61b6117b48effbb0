// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vuurmuur::base {

/// Levenshtein distance, capped: returns max_distance + 1 when larger.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance);

/// The candidate closest to `word` for a "did you mean" hint, if one is close enough.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace vuurmuur::base
