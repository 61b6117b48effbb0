// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/base/spellcheck.h"

#include <algorithm>

#include "vuurmuur/base/strings.h"

namespace vuurmuur::base {

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance) {
    if (a.size() > b.size() + max_distance || b.size() > a.size() + max_distance) {
        return max_distance + 1;
    }
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        std::size_t best = row[0];
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
            best = std::min(best, row[j]);
        }
        if (best > max_distance) return max_distance + 1;
    }
    return std::min(row[b.size()], max_distance + 1);
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
    const std::size_t limit = word.size() <= 3 ? 1 : (word.size() <= 6 ? 2 : 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    std::string lowered = to_lower(word);
    for (const auto& candidate : candidates) {
        std::size_t d = edit_distance(lowered, to_lower(candidate), limit);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

}  // namespace vuurmuur::base
