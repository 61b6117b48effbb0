// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/blocklist_live.h"


#include <optional>
#include <set>

#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/apply/state.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace vuurmuur::apply {

namespace {

const char* const kChains[] = {"BLOCK", "BLOCKLIST"};

std::string fam(ir::Family f) { return std::string(ir::family_name(f)); }

/// "*filter", the declarations of the blocklist chains the kernel or the new ruleset has
/// (a declaration flushes the chain), the new rules, "COMMIT". The compiler leaves out chains
/// nothing jumps to, so an emptied blocklist has no chains: then the running ones are only
/// flushed (the jumps to the empty BLOCKLIST stay, and return at once).
std::string blocklist_text(const ir::Ruleset& rs, const std::set<std::string>& kernel_chains) {
    const ir::Table* filter = rs.find("filter");
    std::string out = "*filter\n";
    for (const char* name : kChains) {
        if ((filter != nullptr && filter->find(name) != nullptr) || kernel_chains.count(name) != 0) {
            out += std::string(":") + name + " - [0:0]\n";
        }
    }
    for (const char* name : kChains) {
        const ir::Chain* c = filter == nullptr ? nullptr : filter->find(name);
        if (c == nullptr) continue;
        for (const auto& r : c->rules) out += std::string("-A ") + name + render::rule_text(r) + "\n";
    }
    return out + "COMMIT\n";
}

/// Whether the kernel's filter chains hold a chain of `rs` Vuurmuur owns (other than the
/// blocklist chains): a Vuurmuur ruleset runs in that family.
bool vuurmuur_loaded(const ir::Ruleset& rs, const std::set<std::string>& kernel_chains) {
    const ir::Table* filter = rs.find("filter");
    if (filter == nullptr) return false;
    for (const auto& c : filter->chains) {
        if (c.kind == ir::Chain::Kind::Owned && c.name != "BLOCK" && c.name != "BLOCKLIST" &&
            kernel_chains.count(c.name) != 0) {
            return true;
        }
    }
    return false;
}

/// Whether a filter rule of `save_text` jumps to BLOCKLIST.
bool has_blocklist_jump(const std::string& save_text) {
    for (const auto& t : split_tables(save_text)) {
        if (t.name == "filter" && t.text.find(" -j BLOCKLIST\n") != std::string::npos) return true;
    }
    return false;
}

}  // namespace

BlockUpdate update_blocklist(const std::filesystem::path& config_dir, const std::filesystem::path& state_dir) {
    BlockUpdate u;
    auto error = [&](const std::string& m) {
        u.messages.push_back("error: " + m);
        u.failed = true;
    };
    try {
        auto loaded = load_and_check(config_dir, u.diags);
        if (u.diags.has_errors()) {
            u.config_errors = true;
            u.messages.push_back("the config has errors; nothing was changed");
            return u;
        }
        compile::Compiled compiled = compile::compile(loaded.config, {}, u.diags);
        if (u.diags.has_errors()) {
            u.config_errors = true;
            u.messages.push_back("the config has errors; nothing was changed");
            return u;
        }
        std::vector<std::string> notes;
        std::string err;
        auto tools = resolve_tools(loaded.config.settings, notes, err);
        for (const auto& n : notes) u.messages.push_back("warning: " + n);
        if (!tools) {
            error(err);
            return u;
        }
        std::vector<ir::Family> families{ir::Family::Ipv4};
        if (kernel_has_ipv6()) families.push_back(ir::Family::Ipv6);

        StateDir sd(state_dir);
        sd.ensure();
        std::optional<ApplyLock> lock(std::in_place, sd);
        if (!lock->held()) {
            u.busy = true;
            error(sd.has_pending() ? "an apply is waiting for confirmation; the blocklist is loaded with the next apply"
                                   : "another apply is running (" + sd.lock_file().string() + " is locked)");
            return u;
        }

        // What runs: per family, Vuurmuur's chains, the blocklist chains and the jump to them.
        struct Plan {
            ir::Family family;
            std::string text;
            std::size_t rules;
        };
        std::vector<Plan> plans;
        bool jump_missing = false;
        bool any_loaded = false;
        for (ir::Family f : families) {
            ExecResult r = run_program({tools->of(f).save, "-t", "filter"});
            if (!r.ok()) {
                error(fam(f) + ": " + tools->of(f).save + " -t filter failed" +
                      (r.error.empty() ? " (exit " + std::to_string(r.exit_code) + ")" : ": " + r.error) +
                      "; nothing was changed");
                return u;
            }
            auto chains = existing_chains(r.out);
            const std::set<std::string> kernel = chains.count("filter") != 0 ? chains["filter"] : std::set<std::string>{};
            const ir::Ruleset& rs = f == ir::Family::Ipv4 ? compiled.ipv4 : compiled.ipv6;
            const bool running = kernel.count("BLOCKLIST") != 0 && has_blocklist_jump(r.out);
            if (running || vuurmuur_loaded(rs, kernel)) any_loaded = true;
            const ir::Table* filter = rs.find("filter");
            const ir::Chain* wanted = filter == nullptr ? nullptr : filter->find("BLOCKLIST");
            if (running) {
                plans.push_back({f, blocklist_text(rs, kernel), wanted == nullptr ? 0 : wanted->rules.size()});
            } else if (wanted != nullptr && !wanted->rules.empty()) {
                jump_missing = true;  // nothing jumps to a blocklist in this family yet
            }
        }
        if (!any_loaded) {
            u.no_ruleset = true;
            u.messages.push_back("no Vuurmuur ruleset is loaded (no BLOCKLIST or other Vuurmuur chain in the filter "
                                 "table): nothing was changed; the blocklist takes effect with the next apply");
            return u;
        }
        if (jump_missing) {
            // The ruleset was compiled with an empty blocklist: nothing jumps to the chain yet.
            u.messages.push_back("the running ruleset has no blocklist chain to fill (its blocklist was empty when it "
                                 "was loaded): applying the whole config");
            lock.reset();
            Request rq;
            rq.config_dir = config_dir;
            rq.state_dir = state_dir;
            Report rep = apply(rq);
            u.full_apply = true;
            u.diags = std::move(rep.diags);
            for (auto& m : rep.messages) u.messages.push_back(std::move(m));
            u.loaded = rep.loaded == Loaded::Config;
            u.failed = !u.loaded;
            u.busy = rep.busy;
            u.config_errors = rep.config_errors;
            return u;
        }
        for (const auto& p : plans) {
            ExecResult r = run_restore(*tools, p.family, p.text, LoadMode::NoFlush);
            if (!r.ok()) {
                // One filter-table transaction: a refused load changed nothing of this family.
                error(fam(p.family) + ": " + tools->of(p.family).restore + " refused the blocklist chains" +
                      (r.error.empty() ? " (exit " + std::to_string(r.exit_code) + ")" : ": " + r.error) +
                      (r.err.empty() ? "" : ": " + r.err.substr(0, r.err.find('\n'))));
                continue;
            }
            u.messages.push_back(fam(p.family) + ": blocklist reloaded (" + std::to_string(p.rules) +
                                 " rules in BLOCKLIST); nothing else was touched");
        }
        u.loaded = !u.failed;
    } catch (const std::exception& e) {
        error(e.what());
    }
    return u;
}

}  // namespace vuurmuur::apply
