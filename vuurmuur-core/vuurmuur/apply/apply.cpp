// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/apply.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <map>
#include <set>
#include <sstream>

#include "vuurmuur/apply/capabilities.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/apply/safety.h"
#include "vuurmuur/apply/state.h"
#include "vuurmuur/apply/sysctl.h"
#include "vuurmuur/apply/watch.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"
#include "vuurmuur/render/line_map.h"

namespace vuurmuur::apply {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

std::string fam(ir::Family f) { return std::string(ir::family_name(f)); }

// ---------------------------------------------------------------------------------------
// Kernel settings of the running network namespace.

std::optional<bool> read_forward(ir::Family f) {
    auto v = read_sysctl(forward_key(f));
    if (!v || v->empty()) return std::nullopt;
    return *v != "0";
}

/// Empty on success, else the error.
std::string write_forward(ir::Family f, bool on) { return write_sysctl(forward_key(f), on ? "1" : "0"); }

/// The current IPv4 address of the device of every active `dynamic` interface (the first one
/// the kernel lists), so rules that need it (portfw, snat, ... to the firewall) can be made.
std::map<std::string, base::Ipv4> dynamic_ipv4_addresses(const model::Config& config) {
    std::set<std::string> devices;
    for (const auto& iface : config.interfaces) {
        if (iface.active && iface.dynamic && !iface.device.empty()) devices.insert(iface.device);
    }
    std::map<std::string, base::Ipv4> out;
    if (devices.empty()) return out;
    for (const auto& a : interface_addresses()) {
        if (a.family == ir::Family::Ipv4 && devices.count(a.device) != 0 && out.count(a.device) == 0) {
            if (auto ip = base::Ipv4::parse(a.address)) out.emplace(a.device, *ip);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// One apply: tools, messages, the load transaction.

struct Part {
    ir::Family family = ir::Family::Ipv4;
    std::string text;  ///< loaded with --noflush
    /// The ruleset `text` was rendered from with `options` (null when not known): the origins
    /// of its lines are worked out only when a load fails.
    const ir::Ruleset* ruleset = nullptr;
    render::RenderOptions options;
    /// Chains of the previous load that `text` removes (retire_stale_chains).
    std::vector<RetiredChain> retired;
};

using Saved = std::map<ir::Family, std::string>;

std::string nth_line(const std::string& text, int n) {
    std::istringstream in(text);
    std::string line;
    for (int i = 1; std::getline(in, line); ++i) {
        if (i == n) return line;
    }
    return {};
}

std::string capped(std::string s, std::size_t max) {
    if (s.size() > max) s = s.substr(0, max) + "...";
    return s;
}

/// iptables-restore's stderr without the "Try `iptables-restore -h'" advice, on one line.
std::string tool_said(const std::string& err) {
    std::istringstream in(err);
    std::string line, out;
    while (std::getline(in, line)) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        if (line.empty() || line.rfind("Try `", 0) == 0) continue;
        if (!out.empty()) out += out.back() == ':' ? " " : " / ";
        out += line;
    }
    return capped(out, 600);
}

class Context {
public:
    Context(Report& report, fs::path config_dir, Backend backend)
        : report_(report), config_dir_(std::move(config_dir)), backend_(backend) {}

    void note(const std::string& m) { report_.messages.push_back(m); }
    void warn(const std::string& m) { report_.messages.push_back("warning: " + m); }
    void error(const std::string& m) {
        report_.messages.push_back("error: " + m);
        report_.failed = true;
    }
    Report& report() { return report_; }

    /// `restore_if_unusable` (boot): a backend this host cannot use falls back to restore.
    bool init_tools(const model::Settings& settings, bool restore_if_unusable = false) {
        std::vector<std::string> notes;
        std::string err;
        auto tools = resolve_tools(settings, notes, err);
        for (const auto& n : notes) warn(n);
        if (!tools) {
            error(err);
            return false;
        }
        tools_ = *tools;
        variant4_ = detect_variant(tools_.ipv4.restore);
        variant6_ = detect_variant(tools_.ipv6.restore);
        if (std::string why = backend_unusable(backend_, variant4_, variant6_); !why.empty()) {
            if (!restore_if_unusable) {
                error(why + "; nothing was changed");
                return false;
            }
            warn(why + "; loading with the restore backend");
            backend_ = Backend::Restore;
        }
        families_ = {ir::Family::Ipv4};
        if (kernel_has_ipv6()) {
            families_.push_back(ir::Family::Ipv6);
        } else {
            warn("the kernel has no IPv6 (/proc/sys/net/ipv6 is missing): only the IPv4 ruleset is loaded");
        }
        return true;
    }
    const Tools& tools() const { return tools_; }
    Variant variant(ir::Family f) const { return f == ir::Family::Ipv4 ? variant4_ : variant6_; }
    const std::vector<ir::Family>& families() const { return families_; }

    std::string restore_name(ir::Family f) const {
        if (backend_ == Backend::Libiptc) return "libiptc";
        return fs::path(tools_.of(f).restore).filename().string();
    }

    /// Starts save -c of every family, all at once (each in its own thread and process).
    std::map<ir::Family, std::future<ExecResult>> start_snapshot() const {
        std::map<ir::Family, std::future<ExecResult>> running;
        for (ir::Family f : families_) {
            running.emplace(f, std::async(std::launch::async, [tools = tools_, f] { return run_save(tools, f); }));
        }
        return running;
    }

    /// save -c of every family; false (reported) when one fails.
    bool snapshot(Saved& saved) { return finish_snapshot(start_snapshot(), saved); }

    /// Collects what start_snapshot() started; false (reported) when a save failed.
    bool finish_snapshot(std::map<ir::Family, std::future<ExecResult>> running, Saved& saved) {
        bool ok = true;
        for (ir::Family f : families_) ok = finish_save(running, f, saved, "nothing was changed") && ok;
        return ok;
    }

    /// Waits for the save of `f` that start_snapshot() started (once); false (reported, the
    /// message ending in `after`) when it failed.
    bool finish_save(std::map<ir::Family, std::future<ExecResult>>& running, ir::Family f, Saved& saved,
                     const std::string& after) {
        auto it = running.find(f);
        if (it == running.end() || !it->second.valid()) return saved.count(f) != 0;
        ExecResult r = it->second.get();
        if (!r.ok()) {
            error(fam(f) + ": " + tools_.of(f).save + " -c failed" +
                  (r.error.empty() ? " (exit " + std::to_string(r.exit_code) + ")" : ": " + r.error) +
                  (r.err.empty() ? "" : ": " + tool_said(r.err)) + "; " + after);
            return false;
        }
        saved[f] = std::move(r.out);
        return true;
    }

    /// Test-loads every part (iptables-restore --test; nothing changes).
    bool test_load(const std::vector<Part>& parts) {
        for (const auto& p : parts) {
            ExecResult r = backend_restore(backend_, tools_, p.family, p.text, LoadMode::Test);
            if (!r.ok()) {
                error(describe_failure(p, r, true) + "\n  nothing was changed");
                return false;
            }
        }
        return true;
    }

    /// Loads the parts in order; on a failure restores `saved` for every part loaded so far
    /// (the failing one included: its earlier tables may be in). There is no separate
    /// --test pass: it would cost as much as the load, and a refused load is rolled back.
    bool load(const std::vector<Part>& parts, const Saved& saved) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!load_last(std::vector<Part>(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(i) + 1), saved)) {
                return false;
            }
        }
        return true;
    }

    /// Loads the last of `parts`, the ones before it being loaded already; on a failure
    /// restores `saved` for all of them.
    bool load_last(const std::vector<Part>& parts, const Saved& saved) {
        const Part& p = parts.back();
        ExecResult r = backend_restore(backend_, tools_, p.family, p.text, LoadMode::NoFlush);
        if (r.ok()) return true;
        error(describe_failure(p, r, false));
        rollback(parts, saved);
        return false;
    }

    /// Puts back `saved` for the tables of `parts` (last part first).
    bool rollback(const std::vector<Part>& parts, const Saved& saved) {
        bool ok = true;
        std::string done;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
            auto s = saved.find(it->family);
            std::string text = rollback_text(s == saved.end() ? std::string() : s->second, it->text,
                                             variant(it->family));
            if (text.empty()) continue;
            ExecResult r = backend_restore(backend_, tools_, it->family, text, LoadMode::Replace);
            if (!r.ok()) {
                ok = false;
                error("ROLLBACK FAILED: " + fam(it->family) + ": " + restore_name(it->family) +
                      " could not put the previous ruleset back" +
                      (r.error.empty() ? "" : ": " + r.error) + (r.err.empty() ? "" : ": " + tool_said(r.err)) +
                      "; check the running ruleset by hand");
            } else {
                done = done.empty() ? fam(it->family) : fam(it->family) + " and " + done;
            }
        }
        if (ok && !done.empty()) note("the previous ruleset was restored (" + done + ")");
        return ok;
    }

    /// The protection and conntrack sysctls of the config (after a load).
    void set_sysctls(const std::vector<Sysctl>& wanted) {
        std::vector<std::string> notes, warnings;
        apply_sysctls(wanted, notes, warnings);
        for (const auto& n : notes) note(n);
        for (const auto& w : warnings) warn(w);
    }

    void set_forwarding(const std::map<ir::Family, bool>& wanted) {
        for (const auto& [f, on] : wanted) {
            auto now = read_forward(f);
            if (now && *now == on) continue;
            std::string err = write_forward(f, on);
            if (!err.empty()) warn(fam(f) + " forwarding: " + err);
            else note(fam(f) + " forwarding " + (on ? "enabled" : "disabled"));
        }
    }

private:
    std::string describe_failure(const Part& p, const ExecResult& r, bool test) const {
        std::string msg = fam(p.family) + ": " + restore_name(p.family) + (test ? " --test" : "") +
                          " refused the ruleset";
        msg += r.error.empty() ? " (exit " + std::to_string(r.exit_code) + ")" : ": " + r.error;
        if (!r.err.empty()) msg += ": " + tool_said(r.err);
        auto n = failing_line(r.err);
        if (!n || *n < 1) return msg;
        std::string line = nth_line(p.text, *n);
        msg += "\n  line " + std::to_string(*n) + " of the " + fam(p.family) + " ruleset: " + capped(line, 300);
        if (line == "COMMIT") {
            std::string table;
            std::istringstream in(p.text);
            std::string l;
            for (int i = 1; i < *n && std::getline(in, l); ++i) {
                if (!l.empty() && l.front() == '*') table = l.substr(1);
            }
            msg += " (the kernel refused the " + table + " table as a whole)";
            return msg;
        }
        if (p.ruleset == nullptr) return msg;
        const std::vector<diag::Location> origins = render::line_origins(*p.ruleset, p.options);
        if (static_cast<std::size_t>(*n) <= origins.size() && !origins[static_cast<std::size_t>(*n) - 1].file.empty()) {
            const diag::Location& at = origins[static_cast<std::size_t>(*n) - 1];
            msg += "\n  made from " + (config_dir_ / at.file).string() + ":" + std::to_string(at.line);
            std::string ignored;
            if (auto src = read_state_file(config_dir_ / at.file, ignored); src && at.line > 0) {
                msg += ": " + capped(nth_line(*src, at.line), 300);
            }
        } else {
            msg += "\n  (a rule of Vuurmuur's own prologue, not from rules.conf)";
        }
        return msg;
    }

    Report& report_;
    fs::path config_dir_;
    Backend backend_ = Backend::Restore;
    Tools tools_;
    Variant variant4_ = Variant::Unknown;
    Variant variant6_ = Variant::Unknown;
    std::vector<ir::Family> families_;
};

// ---------------------------------------------------------------------------------------
// The config: check, compile, render.

struct Prepared {
    compile::Compiled compiled;
    model::Settings settings;
    std::vector<Sysctl> sysctls;  ///< protections and conntrack settings (apply/sysctl.h)
};

/// Compiles a checked config, with the current addresses of its dynamic interfaces. nullopt
/// when it has errors (in report.diags).
std::optional<Prepared> compile_checked(const model::Config& config, Report& report) {
    compile::CompileOptions options;
    options.dynamic_ipv4 = dynamic_ipv4_addresses(config);
    Prepared out;
    out.compiled = compile::compile(config, options, report.diags);
    out.settings = config.settings;
    out.sysctls = wanted_sysctls(config);
    if (report.diags.has_errors()) return std::nullopt;
    return out;
}

/// Leaves out what the kernel cannot load, as the original does (reference §3.14), with a
/// warning: the nat table of a family whose kernel has no NAT (no SNAT/DNAT target listed in
/// /proc/net/ip*_tables_targets; the classic case is a kernel without IPv6 NAT). Reading the
/// listing is cheap; the full probe (`vuurmuur-script capabilities`) is not run on apply.
void degrade_to_kernel(compile::Compiled& compiled, const std::vector<ir::Family>& families,
                       std::vector<std::string>& warnings) {
    for (ir::Family f : families) {
        ir::Ruleset& rs = f == ir::Family::Ipv4 ? compiled.ipv4 : compiled.ipv6;
        if (rs.find("nat") == nullptr) continue;
        auto listing = read_kernel_listing(f);
        if (!listing || (listing->targets.count("SNAT") != 0 && listing->targets.count("DNAT") != 0)) continue;
        std::size_t rules = 0;
        for (const auto& c : rs.find("nat")->chains) rules += c.rules.size();
        std::erase_if(rs.tables, [](const ir::Table& t) { return t.name == "nat"; });
        warnings.push_back("the kernel has no " + fam(f) + " NAT (no SNAT/DNAT target in /proc/net/" +
                           (f == ir::Family::Ipv4 ? "ip" : "ip6") + "_tables_targets): the " + std::to_string(rules) +
                           " rules of the " + fam(f) + " nat table are left out");
    }
}

/// Loads, checks and compiles the tree. nullopt when it has errors (in report.diags).
std::optional<Prepared> check_and_compile(const fs::path& config_dir, Report& report, model::Settings& settings) {
    auto loaded = load_and_check(config_dir, report.diags);
    settings = loaded.config.settings;
    if (report.diags.has_errors()) return std::nullopt;
    return compile_checked(loaded.config, report);
}

const ir::Ruleset& ruleset_of(const compile::Compiled& c, ir::Family f) {
    return f == ir::Family::Ipv4 ? c.ipv4 : c.ipv6;
}

bool forwards(const compile::Compiled& c, ir::Family f) {
    return f == ir::Family::Ipv4 ? c.forwards_ipv4 : c.forwards_ipv6;
}

/// The ruleset as last-known-good keeps it: rendered for a kernel without its chains, hook
/// chains listed so a later load can keep the ones that exist.
StoredFamily stored_part(const ir::Ruleset& rs, bool forward) {
    render::RenderOptions ro;
    ro.header.clear();
    StoredFamily sf{rs.family, render::iptables_restore(rs, ro), forward, {}};
    sf.text.shrink_to_fit();  // rendered by appending: up to half of it was spare capacity
    for (const auto& t : rs.tables) {
        for (const auto& c : t.chains) {
            if (c.kind == ir::Chain::Kind::Hook) sf.hooks.emplace_back(t.name, c.name);
        }
    }
    return sf;
}

/// Chains of each family of the last load this program made, from last-known-good.
using PreviousChains = std::map<ir::Family, ChainsByTable>;

/// What is loaded for `rs`: its stored form without the declarations of hook chains that
/// `saved` (save output) has, which is what the renderer makes for that kernel, rendered once.
/// `previous`: the chains of the last load this program made; those the new ruleset no
/// longer has are removed.
Part load_part(const ir::Ruleset& rs, const StoredFamily& stored, const std::string& saved,
               const PreviousChains& previous) {
    Part p{rs.family, {}, &rs, {}, {}};
    p.options.header.clear();
    p.options.existing_chains = existing_chains(saved);
    p.text = adapt_to_kernel(stored, p.options.existing_chains);
    if (auto it = previous.find(rs.family); it != previous.end()) {
        retire_stale_chains(p.text, stored, it->second, saved, p.options.existing_chains, &p.retired);
    }
    return p;
}

/// The chains of last-known-good: what this program loaded last. Empty when it cannot be
/// read (nothing is known, so nothing is removed).
PreviousChains read_previous_chains(const StateDir& sd) {
    std::string err;
    return read_owned_chains(sd.last_known_good(), err).value_or(PreviousChains{});
}

/// "ipv4: removed 2 chains the new ruleset no longer has: filter BLOCK, filter BLOCKLIST"
std::string retired_note(const Part& p, bool test_only) {
    std::string out = fam(p.family) + (test_only ? ": would remove " : ": removed ") + std::to_string(p.retired.size()) +
                      (p.retired.size() == 1 ? " chain" : " chains") + " the new ruleset no longer has:";
    for (std::size_t i = 0; i < p.retired.size(); ++i) {
        out += (i == 0 ? " " : ", ") + p.retired[i].table + " " + p.retired[i].chain;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Watcher of `apply --confirm`.

bool finish_confirm(const StateDir& sd, std::string& detail) {
    std::string err;
    auto loaded = read_state_file(sd.loaded_file(), err);
    if (!loaded) {
        detail = "cannot read " + sd.loaded_file().string() + (err.empty() ? "" : ": " + err);
        return false;
    }
    io::write_file_atomic(sd.last_known_good(), *loaded);
    detail = "confirmed; the ruleset is now last-known-good";
    return true;
}

/// Restores previous.rules for the tables of loaded.rules. False (with `detail`) on failure.
bool finish_rollback(const StateDir& sd, const Tools& tools, Variant v4, Variant v6, std::string& detail) {
    std::string err;
    auto prev_text = read_state_file(sd.previous_file(), err);
    auto loaded_text = read_state_file(sd.loaded_file(), err);
    std::optional<StoredRulesets> prev, loaded;
    if (prev_text) prev = parse_stored(*prev_text);
    if (loaded_text) loaded = parse_stored(*loaded_text);
    if (!prev || !loaded) {
        detail = "ROLLBACK FAILED: the pending state in " + sd.pending_dir().string() + " is unreadable";
        return false;
    }
    bool ok = true;
    std::string failures;
    for (auto it = loaded->families.rbegin(); it != loaded->families.rend(); ++it) {
        const StoredFamily* before = prev->find(it->family);
        std::string text = rollback_text(before ? before->text : std::string(), it->text,
                                         it->family == ir::Family::Ipv4 ? v4 : v6);
        if (!text.empty()) {
            ExecResult r = run_restore(tools, it->family, text, LoadMode::Replace);
            if (!r.ok()) {
                ok = false;
                failures += " " + fam(it->family) + ": " + (r.error.empty() ? tool_said(r.err) : r.error) + ";";
            }
        }
        if (before != nullptr && before->forward) write_forward(it->family, *before->forward);
    }
    detail = ok ? "no confirm in time; the previous ruleset was restored"
                : "ROLLBACK FAILED:" + failures + " check the running ruleset by hand";
    return ok;
}

int watcher_main(const StateDir& sd, const Tools& tools, Variant v4, Variant v6, int fifo_fd,
                 Clock::time_point deadline) {
    std::string buffer;
    bool confirmed = false;
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{fifo_fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60000)));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;  // cannot wait any longer: fail safe, roll back
        if (r == 0) continue;
        char buf[256];
        ssize_t n = ::read(fifo_fd, buf, sizeof buf);
        if (n > 0) buffer.append(buf, static_cast<std::size_t>(n));
        if (buffer.find("confirm\n") != std::string::npos) {
            confirmed = true;
            break;
        }
        if (buffer.size() > 4096) buffer.erase(0, buffer.size() - 16);
    }
    std::string detail;
    bool ok = false;
    try {
        if (confirmed) {
            ok = finish_confirm(sd, detail);
            sd.write_status(ok ? "confirmed" : "confirm-failed", detail);
        } else {
            ok = finish_rollback(sd, tools, v4, v6, detail);
            sd.write_status(ok ? "rolled-back" : "rollback-failed", detail);
        }
        sd.clear_pending();
    } catch (const std::exception&) {
        ok = false;
    }
    return ok ? 0 : 1;
}

/// Closes the descriptors first..last (inclusive).
void close_fds(unsigned first, unsigned last) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
    long max = ::sysconf(_SC_OPEN_MAX);
    unsigned top = max > 0 ? static_cast<unsigned>(max) - 1 : 1023;
    for (unsigned fd = first; fd <= std::min(last, top); ++fd) ::close(static_cast<int>(fd));
}

/// Closes every descriptor from 3 up except the ones in `keep`.
void close_other_fds(std::vector<int> keep) {
    std::sort(keep.begin(), keep.end());
    unsigned from = 3;
    for (int k : keep) {
        auto uk = static_cast<unsigned>(k);
        if (uk < from) continue;
        if (uk > from) close_fds(from, uk - 1);
        from = uk + 1;
    }
    close_fds(from, ~0U);
}

/// Starts the detached watcher (setsid, double fork, stdio on /dev/null). It takes over the
/// lock (an inherited descriptor of the same lock), so the lock stays held until it is done.
/// Returns its pid, or 0 with `error`.
long spawn_watcher(const StateDir& sd, const Tools& tools, Variant v4, Variant v6, unsigned seconds,
                   int lock_fd, std::string& error) {
    const auto deadline = Clock::now() + std::chrono::seconds{seconds};
    if (::mkfifo(sd.fifo().c_str(), 0600) != 0) {
        error = "cannot create " + sd.fifo().string() + ": " + std::strerror(errno);
        return 0;
    }
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return 0;
    }
    pid_t child = ::fork();
    if (child < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        ::close(ready[0]);
        ::close(ready[1]);
        return 0;
    }
    if (child == 0) {
        ::close(ready[0]);
        ::setsid();
        pid_t grandchild = ::fork();
        if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);
        int rc = 1;
        try {
            struct sigaction ign {};
            ign.sa_handler = SIG_IGN;
            for (int sig : {SIGHUP, SIGINT, SIGPIPE, SIGQUIT}) ::sigaction(sig, &ign, nullptr);
            // O_RDWR: the FIFO never reports end-of-file while we hold a writer ourselves.
            int fifo_fd = ::open(sd.fifo().c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            int null_fd = ::open("/dev/null", O_RDWR);
            if (fifo_fd < 0 || null_fd < 0) ::_exit(1);
            io::write_file_atomic(sd.watcher_pid_file(), std::to_string(::getpid()) + "\n");
            ::dup2(null_fd, 0);
            ::dup2(null_fd, 1);
            ::dup2(null_fd, 2);
            if (null_fd > 2) ::close(null_fd);
            long me = ::getpid();
            [[maybe_unused]] auto w = ::write(ready[1], &me, sizeof me);
            ::close(ready[1]);
            // The lock descriptor stays: holding it is what makes this apply "pending".
            close_other_fds({fifo_fd, lock_fd});
            if (::chdir("/") != 0) {
                // stays where it is; paths are absolute
            }
            rc = watcher_main(sd, tools, v4, v6, fifo_fd, deadline);
        } catch (...) {
            rc = 1;
        }
        ::_exit(rc);
    }
    ::close(ready[1]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    long pid = 0;
    pollfd p{ready[0], POLLIN, 0};
    int r;
    do {
        r = ::poll(&p, 1, 10000);
    } while (r < 0 && errno == EINTR);
    if (r > 0 && ::read(ready[0], &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid)) pid = 0;
    ::close(ready[0]);
    if (pid <= 0) error = "the confirm watcher did not start";
    return pid;
}

// ---------------------------------------------------------------------------------------
// apply, apply --test, apply --confirm

void run_normal(const Request& rq, Report& report) {
    Context cx(report, rq.config_dir, rq.backend);
    auto checked = load_and_check(rq.config_dir, report.diags);
    if (report.diags.has_errors()) {
        report.config_errors = true;
        cx.note("the config has errors; nothing was changed");
        return;
    }
    if (!cx.init_tools(checked.config.settings)) return;

    StateDir sd(rq.state_dir);
    std::optional<ApplyLock> lock;
    if (!rq.test_only) {
        sd.ensure();
        lock.emplace(sd);
        if (!lock->held()) {
            report.busy = true;
            auto pid = pending_watcher(rq.state_dir);
            if (sd.has_pending() && pid) {
                cx.error("an apply is waiting for confirmation (watcher pid " + std::to_string(*pid) +
                         "): run `vuurmuur-script confirm` to keep it, or wait for its rollback; nothing was changed");
            } else {
                cx.error("another apply is running (" + sd.lock_file().string() + " is locked); nothing was changed");
            }
            return;
        }
        if (sd.has_pending()) {
            cx.warn("an earlier `apply --confirm` was neither confirmed nor rolled back (its watcher is gone); "
                    "the ruleset it loaded is replaced now");
            sd.clear_pending();
        }
    }

    const PreviousChains previous_load = read_previous_chains(sd);
    // The saves of both families run while the tree compiles and renders.
    auto saving = cx.start_snapshot();
    auto prepared = compile_checked(checked.config, report);
    if (prepared) {
        std::vector<std::string> warnings;
        degrade_to_kernel(prepared->compiled, cx.families(), warnings);
        for (const auto& w : warnings) cx.warn(w);
    }
    std::vector<StoredFamily> stored;
    std::map<ir::Family, bool> forward;
    if (prepared) {
        for (ir::Family f : cx.families()) {
            forward[f] = forwards(prepared->compiled, f);
            stored.push_back(stored_part(ruleset_of(prepared->compiled, f), forward[f]));
        }
    }
    Saved saved;
    if (!prepared || rq.test_only) {
        const bool have_saves = cx.finish_snapshot(std::move(saving), saved);
        if (!prepared) {
            report.config_errors = true;
            cx.note("the config has errors; nothing was changed");
            return;
        }
        if (!have_saves) return;
    }
    std::vector<Part> parts;
    if (rq.test_only) {
        for (const auto& sf : stored) {
            parts.push_back(load_part(ruleset_of(prepared->compiled, sf.family), sf, saved[sf.family], previous_load));
        }
        if (!cx.test_load(parts)) return;
    } else {
        // Family by family: a family is loaded as soon as its own save is in, so the IPv6 save
        // runs while IPv4 loads. A failure restores every family loaded so far.
        for (const auto& sf : stored) {
            const bool first = parts.empty();
            if (!cx.finish_save(saving, sf.family, saved,
                                first ? std::string("nothing was changed") : std::string("rolling back"))) {
                if (!first) cx.rollback(parts, saved);
                return;
            }
            parts.push_back(load_part(ruleset_of(prepared->compiled, sf.family), sf, saved[sf.family],
                                      previous_load));
            if (!cx.load_last(parts, saved)) return;
        }
    }
    for (const auto& p : parts) {
        if (!p.retired.empty()) cx.note(retired_note(p, rq.test_only));
    }
    for (ir::Family f : cx.families()) {
        const auto& rs = ruleset_of(prepared->compiled, f);
        cx.note(fam(f) + ": " + std::to_string(rs.rule_count()) + " rules " +
                (rq.test_only ? "passed " + cx.restore_name(f) + " --test" : "loaded with " + cx.restore_name(f)) +
                " (" + variant_name(cx.variant(f)) + ")");
    }
    if (rq.test_only) {
        cx.note("test only: nothing was changed");
        return;
    }

    // Forwarding per family, only as the rules ask; the old values go back on a rollback.
    StoredRulesets loaded{"vuurmuur last-known-good: the rulesets of the last confirmed apply (" + utc_now() + ")",
                          std::move(stored)};
    std::map<ir::Family, std::optional<bool>> old_forward;
    for (ir::Family f : cx.families()) old_forward[f] = read_forward(f);
    cx.set_forwarding(forward);
    cx.set_sysctls(prepared->sysctls);
    report.loaded = Loaded::Config;

    if (!rq.confirm_seconds) {
        // Nothing from here on needs the IR, the loaded texts or the saves (they matter only
        // for a rollback): freed before last-known-good's text is built (the peak of a large
        // apply was here).
        parts.clear();
        saved.clear();
        prepared->compiled = compile::Compiled{};
        try {
            io::write_file_atomic(sd.last_known_good(), format_stored(loaded));
            sd.write_status("applied", "the config was loaded and stored as last-known-good");
        } catch (const io::IoError& e) {
            cx.warn(std::string("the ruleset is loaded but last-known-good was not stored: ") + e.what());
        }
        return;
    }

    StoredRulesets previous{"vuurmuur: what ran before the pending apply (" + utc_now() + ")", {}};
    for (ir::Family f : cx.families()) previous.families.push_back(StoredFamily{f, saved[f], old_forward[f], {}});
    std::string error;
    long pid = 0;
    try {
        io::make_dirs(sd.pending_dir());
        io::write_file_atomic(sd.previous_file(), format_stored(previous));
        io::write_file_atomic(sd.loaded_file(), format_stored(loaded));
        sd.write_status("pending", "waiting " + std::to_string(*rq.confirm_seconds) + " s for `vuurmuur-script confirm`");
        pid = spawn_watcher(sd, cx.tools(), cx.variant(ir::Family::Ipv4), cx.variant(ir::Family::Ipv6),
                            *rq.confirm_seconds, lock->fd(), error);
    } catch (const io::IoError& e) {
        error = e.what();
    }
    if (pid <= 0) {
        cx.error("cannot wait for a confirmation (" + error + "); rolling back");
        cx.rollback(parts, saved);
        std::map<ir::Family, bool> old;
        for (const auto& p : previous.families) {
            if (p.forward) old[p.family] = *p.forward;
        }
        cx.set_forwarding(old);
        report.loaded = Loaded::Nothing;
        try {
            sd.clear_pending();
            sd.write_status("rolled-back", "the confirm watcher did not start");
        } catch (const io::IoError&) {
        }
        return;
    }
    report.watcher_pid = pid;
    cx.note("run `vuurmuur-script confirm` within " + std::to_string(*rq.confirm_seconds) +
            " s to keep this ruleset; otherwise the previous one is restored (watcher pid " +
            std::to_string(pid) + ")");
}

// ---------------------------------------------------------------------------------------
// apply --boot

/// Loads `stored` (last-known-good) with the same transaction as a config.
bool load_stored(Context& cx, const StoredRulesets& stored, const Saved& saved) {
    std::vector<Part> parts;
    std::map<ir::Family, bool> forward;
    for (ir::Family f : cx.families()) {
        const StoredFamily* sf = stored.find(f);
        if (sf == nullptr) {
            cx.warn("last-known-good has no " + fam(f) + " ruleset");
            continue;
        }
        auto it = saved.find(f);
        parts.push_back(Part{f, adapt_to_kernel(*sf, existing_chains(it == saved.end() ? std::string() : it->second)), nullptr, {}, {}});
        forward[f] = sf->forward.value_or(false);
    }
    if (parts.empty() || !cx.load(parts, saved)) return false;
    cx.set_forwarding(forward);
    return true;
}

bool load_safety(Context& cx, const model::Settings& settings, const Saved& saved) {
    std::vector<Part> parts;
    std::map<ir::Family, bool> forward;
    for (ir::Family f : cx.families()) {
        parts.push_back(Part{f, safety_ruleset(f, settings), nullptr, {}, {}});
        forward[f] = false;
    }
    if (!cx.load(parts, saved)) return false;
    cx.set_forwarding(forward);
    return true;
}

void run_boot(const Request& rq, Report& report) {
    Context cx(report, rq.config_dir, rq.backend);
    StateDir sd(rq.state_dir);
    sd.ensure();
    ApplyLock lock(sd);
    if (!lock.held()) {
        report.busy = true;
        cx.error("another apply is running (" + sd.lock_file().string() + " is locked); nothing was changed");
        return;
    }
    const bool stale = sd.has_pending();
    if (stale) {
        cx.warn("an `apply --confirm` was still waiting for confirmation when the machine went down: "
                "its config is not trusted at boot");
    }

    model::Settings settings;
    std::optional<Prepared> prepared;
    try {
        prepared = check_and_compile(rq.config_dir, report, settings);
    } catch (const io::IoError& e) {
        cx.warn(std::string("cannot read the config: ") + e.what());
    }
    if (!prepared) report.config_errors = true;
    if (!cx.init_tools(prepared ? prepared->settings : settings, true)) return;
    if (prepared) {
        std::vector<std::string> warnings;
        degrade_to_kernel(prepared->compiled, cx.families(), warnings);
        for (const auto& w : warnings) cx.warn(w);
    }
    Saved saved;
    if (!cx.snapshot(saved)) {
        // Without a snapshot there is nothing to roll back to: take what runs as empty, so
        // a failed load leaves its tables to the next fallback.
        for (ir::Family f : cx.families()) saved[f];
    }

    auto done = [&](Loaded what, const std::string& detail) {
        report.loaded = what;
        try {
            if (stale) sd.clear_pending();
            sd.write_status(std::string("boot: ") + loaded_name(what), detail);
        } catch (const io::IoError& e) {
            cx.warn(std::string("cannot update the state directory: ") + e.what());
        }
    };

    if (prepared && !stale) {
        const PreviousChains previous_load = read_previous_chains(sd);
        std::vector<Part> parts;
        std::map<ir::Family, bool> forward;
        StoredRulesets loaded{"vuurmuur last-known-good: the rulesets of the last confirmed apply (" + utc_now() + ")", {}};
        for (ir::Family f : cx.families()) {
            const auto& rs = ruleset_of(prepared->compiled, f);
            forward[f] = forwards(prepared->compiled, f);
            loaded.families.push_back(stored_part(rs, forward[f]));
            parts.push_back(load_part(rs, loaded.families.back(), saved[f], previous_load));
        }
        if (cx.load(parts, saved)) {
            cx.set_forwarding(forward);
            cx.set_sysctls(prepared->sysctls);
            try {
                io::write_file_atomic(sd.last_known_good(), format_stored(loaded));
            } catch (const io::IoError& e) {
                cx.warn(std::string("last-known-good was not stored: ") + e.what());
            }
            cx.note("boot: the config was loaded");
            done(Loaded::Config, "the config was loaded");
            return;
        }
        cx.warn("boot: the config does not load; trying last-known-good");
    } else if (!prepared) {
        cx.warn("boot: the config has errors; trying last-known-good");
    }

    std::string err;
    auto text = read_state_file(sd.last_known_good(), err);
    if (!err.empty()) cx.warn(err);
    std::optional<StoredRulesets> lkg;
    if (text) {
        lkg = parse_stored(*text);
        if (!lkg) cx.warn(sd.last_known_good().string() + " is not a vuurmuur ruleset file");
    }
    if (lkg && load_stored(cx, *lkg, saved)) {
        cx.note("boot: loaded last-known-good (" + lkg->comment + ")");
        done(Loaded::LastKnownGood, "loaded " + sd.last_known_good().string());
        return;
    }
    if (!lkg) cx.warn("boot: no last-known-good ruleset in " + sd.root().string());
    // The safety ruleset uses ADMIN_NETWORKS and NFGRP from config.conf when those parsed.
    const model::Settings& s = prepared ? prepared->settings : settings;
    if (load_safety(cx, s, saved)) {
        std::string nets = s.admin_networks.empty() ? std::string("none: console only") : s.admin_networks;
        cx.warn("boot: loaded the fail-closed safety ruleset (SSH from ADMIN_NETWORKS: " + nets + ")");
        done(Loaded::Safety, "safety ruleset loaded");
        return;
    }
    cx.error("boot: even the safety ruleset did not load; the firewall state is unknown");
}

}  // namespace

Report apply(const Request& request) {
    Report report;
    try {
        if (request.boot) run_boot(request, report);
        else run_normal(request, report);
    } catch (const io::IoError& e) {
        report.messages.push_back(std::string("error: ") + e.what());
        report.failed = true;
    }
    return report;
}

std::optional<long> pending_watcher(const std::filesystem::path& state_dir) {
    std::string err;
    auto text = read_state_file(StateDir(state_dir).watcher_pid_file(), err);
    if (!text) return std::nullopt;
    try {
        long pid = std::stol(*text);
        if (pid > 0) return pid;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

bool wait_for_exit(long pid, std::chrono::milliseconds timeout) {
    if (pid <= 0) return true;
#ifdef SYS_pidfd_open
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
    if (fd < 0) return errno == ESRCH;
    const auto deadline = Clock::now() + timeout;
    bool gone = false;
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
        if (left < 0) left = 0;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60000)));
        if (r > 0) {
            gone = true;
            break;
        }
        if ((r < 0 && errno != EINTR) || (r == 0 && left == 0)) break;
    }
    ::close(fd);
    return gone;
#else
    (void)timeout;
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
#endif
}

ConfirmResult confirm(const std::filesystem::path& state_dir, std::chrono::milliseconds wait) {
    using O = ConfirmResult::Outcome;
    StateDir sd(state_dir);
    auto last_status = [&] {
        std::string err;
        return read_state_file(sd.status_file(), err).value_or("");
    };
    if (!sd.has_pending()) {
        std::string st = last_status();
        return {O::NothingPending, "no apply is waiting for confirmation" +
                                       (st.empty() ? std::string() : "; last apply:\n" + st)};
    }
    auto pid = pending_watcher(state_dir);
    int fd = ::open(sd.fifo().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        static const char msg[] = "confirm\n";
        struct sigaction ign {}, old {};
        ign.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ign, &old);
        [[maybe_unused]] auto n = ::write(fd, msg, sizeof msg - 1);
        ::sigaction(SIGPIPE, &old, nullptr);
        ::close(fd);
    }
    if (pid && !wait_for_exit(*pid, wait)) {
        return {O::Failed, "the confirm watcher (pid " + std::to_string(*pid) + ") did not finish within " +
                               std::to_string(wait.count() / 1000) + " s"};
    }
    // The watcher is gone. If the pending state is still there, it died without deciding:
    // the confirm is done here.
    try {
        ApplyLock lock(sd);
        if (!lock.held()) return {O::Failed, "another apply holds " + sd.lock_file().string() + "; try again"};
        if (sd.has_pending()) {
            std::string detail;
            bool ok = finish_confirm(sd, detail);
            sd.write_status(ok ? "confirmed" : "confirm-failed", detail + (ok ? " (its watcher was gone)" : ""));
            if (!ok) return {O::Failed, detail};
            sd.clear_pending();
            return {O::Confirmed, detail};
        }
    } catch (const io::IoError& e) {
        return {O::Failed, e.what()};
    }
    std::string st = last_status();
    if (st.rfind("result: confirmed\n", 0) == 0) return {O::Confirmed, "confirmed; the ruleset stays and is now last-known-good"};
    if (st.rfind("result: rolled-back\n", 0) == 0) {
        return {O::TooLate, "too late: no confirm arrived in time and the previous ruleset was restored"};
    }
    return {O::Failed, "the pending apply ended without a confirm:\n" + st};
}

const char* loaded_name(Loaded loaded) {
    switch (loaded) {
        case Loaded::Nothing: return "nothing";
        case Loaded::Config: return "config";
        case Loaded::LastKnownGood: return "last-known-good";
        case Loaded::Safety: return "safety";
    }
    return "?";
}

}  // namespace vuurmuur::apply
