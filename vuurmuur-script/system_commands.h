// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

/// Commands that read the running system: diff (drift), --list-devices, --list-paths, and the
/// root check of the commands that touch the running firewall.
namespace vuurmuur::script {

int run_diff(const ScriptOptions& o, std::ostream& out, std::ostream& err);
int run_list_devices(const ScriptOptions& o, std::ostream& out, std::ostream& err);
int run_list_paths(const ScriptOptions& o, std::ostream& out, std::ostream& err);

/// 0 when `o` may run; else prints the one-line error and returns the exit code (1, as the
/// original's "not root").
int check_root(const ScriptOptions& o, std::ostream& err);

}  // namespace vuurmuur::script
