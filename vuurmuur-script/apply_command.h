// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>
#include <iosfwd>
#include <string>

#include "options.h"

/// `apply [--test] [--confirm SECONDS] [--boot] [--state-dir DIR]` and `confirm`: thin
/// wrappers around vuurmuur-core/vuurmuur/apply (docs/apply.md).
namespace vuurmuur::script {

/// The options of apply and confirm, for the help text and the parser.
boost::program_options::options_description apply_options();
/// Copies them from `vm` into `opts` and checks them against the mode; an error or empty.
std::string read_apply_options(const boost::program_options::variables_map& vm, ScriptOptions& opts);

int run_apply(const ScriptOptions& options, std::ostream& out, std::ostream& err);
int run_confirm(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
