// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "vuurmuur/config/textdir.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/config.h"

/// Stage 2, build: parsed files -> typed model. Reports every malformed value at its location
/// (unknown keys, bad addresses, ports, names, lengths) and keeps going. A malformed value is
/// left out of the object (an address that does not parse is absent, never "any"); a tree
/// with errors is never compiled.
namespace vuurmuur::model {

Config build(const config::Tree& tree, diag::Diagnostics& diags);

/// build(), one file at a time: add() every file in Tree::files order (relative path and
/// parsed file), then finish(). The same model and diagnostics as build() on a tree of those
/// files, without the tree having to exist (see config::for_each_file).
class Builder {
public:
    void add(const std::string& rel, const config::KvFile& file, diag::Diagnostics& diags);
    Config finish();

private:
    Config config_;
};

/// Parses one service port value of a legacy key (TCP, UDP, ICMP, GRE, AH, ESP, PROTO_41)
/// or of RANGE; appends to `out`. Exposed for the editors' value checks.
bool parse_service_value(std::string_view key, std::string_view value,
                         const diag::Location& where, std::vector<ServicePort>& out,
                         diag::Diagnostics& diags);

/// Interface device names: 1-15 characters of [a-zA-Z0-9_.:@-] (IFNAMSIZ).
bool is_valid_device_name(std::string_view device);

}  // namespace vuurmuur::model
