// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <span>
#include <string_view>

/// Which keys each object kind has, in the order the original writes them.
/// Shared by the loader (unknown keys), the printers (-P) and the editors.
namespace vuurmuur::model {

enum class ObjectKind { Zone, Network, Host, Group, Interface, Service, Ruleset };

std::string_view kind_name(ObjectKind kind);

struct KeySpec {
    std::string_view key;
    bool multi;       ///< repeated lines make a list
    bool in_template; ///< written when a new object is created
};

/// Keys of a kind in canonical (template / print) order.
std::span<const KeySpec> keys_of(ObjectKind kind);
const KeySpec* find_key(ObjectKind kind, std::string_view key);

}  // namespace vuurmuur::model
