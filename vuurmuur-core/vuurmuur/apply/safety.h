// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/settings.h"

namespace vuurmuur::apply {

/// The fail-closed ruleset `apply --boot` loads when neither the config nor a last-known-good
/// ruleset loads. filter table only, loaded with --noflush (the built-in chains are flushed):
///
/// * policies DROP on INPUT, FORWARD and OUTPUT;
/// * loopback in and out; ESTABLISHED,RELATED in and out;
/// * IPv6: neighbour and router discovery (ICMPv6 133-136, hop limit 255), without which
///   nothing over IPv6 works;
/// * new SSH (tcp 22) from each of ADMIN_NETWORKS of that family;
/// * everything else logged (NFLOG group NFGRP, prefix "vrmr: DROP safety ...", 1/s burst 5)
///   and dropped.
///
/// Nothing is forwarded. Without ADMIN_NETWORKS only the console reaches the machine.
std::string safety_ruleset(ir::Family family, const model::Settings& settings);

/// The networks of ADMIN_NETWORKS in one family ("192.168.1.0/24"), in the order given.
std::vector<std::string> admin_networks(const model::Settings& settings, ir::Family family);

}  // namespace vuurmuur::apply
