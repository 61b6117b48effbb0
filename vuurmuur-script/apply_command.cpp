// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_command.h"

#include <boost/program_options.hpp>
#include <ostream>

#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/libiptc.h"

namespace vuurmuur::script {

namespace po = boost::program_options;

po::options_description apply_options() {
    po::options_description o("apply and confirm");
    o.add_options()
        ("test", "apply: check, compile and test-load (iptables-restore --test) only")
        ("confirm", po::value<unsigned>()->value_name("SECONDS"), "apply: restore the previous ruleset after SECONDS "
                                           "unless `vuurmuur-script confirm` arrives")
        ("boot", "apply: at boot; fall back to last-known-good, then to the safety ruleset")
        ("state-dir", po::value<std::string>()->value_name("DIR"),
         "state directory of apply, confirm, watch, --reload, --apply (default /var/lib/vuurmuur)")
        ("backend", po::value<std::string>()->value_name("NAME"),
         "apply: restore (iptables-restore, the default) or libiptc (in-process; legacy iptables only)");
    return o;
}

std::string read_apply_options(const po::variables_map& vm, ScriptOptions& opts) {
    const bool apply = opts.mode == Mode::Apply;
    if (!apply && (vm.count("test") || vm.count("confirm") || vm.count("boot"))) {
        return "--test, --confirm and --boot are only used with apply";
    }
    if (vm.count("state-dir")) {
        opts.state_dir = vm["state-dir"].as<std::string>();
        if (opts.state_dir.empty()) return "--state-dir needs a directory";
    }
    if (vm.count("backend")) {
        if (!apply) return "--backend is only used with apply";
        opts.backend = vm["backend"].as<std::string>();
        if (!apply::parse_backend(opts.backend)) {
            return "--backend takes restore or libiptc, not '" + opts.backend + "'";
        }
    }
    opts.apply_test = vm.count("test") != 0;
    opts.apply_boot = vm.count("boot") != 0;
    if (vm.count("confirm")) {
        unsigned s = vm["confirm"].as<unsigned>();
        if (s < 1 || s > 86400) return "--confirm takes 1 to 86400 seconds";
        opts.confirm_seconds = s;
    }
    if (static_cast<int>(opts.apply_test) + static_cast<int>(opts.apply_boot) +
            static_cast<int>(opts.confirm_seconds.has_value()) >
        1) {
        return "give only one of --test, --confirm and --boot";
    }
    return {};
}

int run_apply(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    apply::Request rq;
    rq.config_dir = o.config_dir;
    rq.state_dir = o.state_dir;
    rq.test_only = o.apply_test;
    rq.confirm_seconds = o.confirm_seconds;
    rq.boot = o.apply_boot;
    if (auto backend = apply::parse_backend(o.backend)) rq.backend = *backend;
    apply::Report report = apply::apply(rq);
    report.diags.sort();
    err << diag::render_all(report.diags, o.config_dir);
    for (const auto& m : report.messages) {
        bool problem = m.rfind("error: ", 0) == 0 || m.rfind("warning: ", 0) == 0;
        (problem ? err : out) << (problem ? "vuurmuur-script: " : "") << m << "\n";
    }
    if (o.apply_boot) {
        return report.loaded == apply::Loaded::Config ? kSuccess : kCommandFailed;
    }
    if (report.config_errors) return kCommandLine;
    return report.failed || report.busy ? kCommandFailed : kSuccess;
}

int run_confirm(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    apply::ConfirmResult r = apply::confirm(o.state_dir);
    using Outcome = apply::ConfirmResult::Outcome;
    switch (r.outcome) {
        case Outcome::Confirmed: out << r.message << "\n"; return kSuccess;
        case Outcome::NothingPending: err << "vuurmuur-script: " << r.message << "\n"; return kNotFound;
        case Outcome::TooLate:
        case Outcome::Failed: break;
    }
    err << "vuurmuur-script: error: " << r.message << "\n";
    return kCommandFailed;
}

}  // namespace vuurmuur::script
