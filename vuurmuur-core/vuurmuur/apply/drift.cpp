// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/drift.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/render/iptables_restore.h"

namespace vuurmuur::apply {

namespace {

/// Differences beyond which line_diff stops searching for the shortest script and reports the
/// differing middle as removed + added (bounds time and memory: O(kMaxEdits²)).
constexpr int kMaxEdits = 1000;

using Lines = std::vector<std::string>;

/// Myers' greedy search on a and b (no common prefix or suffix needed); nullopt when more
/// than kMaxEdits edits are needed.
std::optional<std::vector<DiffLine>> myers(const Lines& a, const Lines& b) {
    using Idx = std::ptrdiff_t;
    const Idx n = static_cast<Idx>(a.size());
    const Idx m = static_cast<Idx>(b.size());
    const Idx max_d = std::min<Idx>(n + m, kMaxEdits);
    const Idx off = max_d + 1;
    std::vector<Idx> v(static_cast<std::size_t>(2 * max_d + 3), 0);
    auto at = [off](std::vector<Idx>& vv, Idx k) -> Idx& { return vv[static_cast<std::size_t>(off + k)]; };
    auto line = [](const Lines& l, Idx i) -> const std::string& { return l[static_cast<std::size_t>(i)]; };
    std::vector<std::vector<Idx>> trace;
    for (Idx d = 0; d <= max_d; ++d) {
        trace.push_back(v);  // the state before round d
        for (Idx k = -d; k <= d; k += 2) {
            Idx x = (k == -d || (k != d && at(v, k - 1) < at(v, k + 1))) ? at(v, k + 1) : at(v, k - 1) + 1;
            Idx y = x - k;
            while (x < n && y < m && line(a, x) == line(b, y)) ++x, ++y;
            at(v, k) = x;
            if (x < n || y < m) continue;
            // Found: walk back through the rounds.
            std::vector<DiffLine> rev;
            Idx cx = n, cy = m;
            for (Idx e = d; e > 0; --e) {
                std::vector<Idx>& pv = trace[static_cast<std::size_t>(e)];
                Idx ck = cx - cy;
                bool down = ck == -e || (ck != e && at(pv, ck - 1) < at(pv, ck + 1));
                Idx px = at(pv, down ? ck + 1 : ck - 1);
                Idx sx = down ? px : px + 1;  // where the snake of round e starts
                while (cx > sx) rev.push_back({' ', line(a, --cx)}), --cy;
                if (down) rev.push_back({'+', line(b, --cy)});
                else rev.push_back({'-', line(a, --cx)});
            }
            while (cx > 0) rev.push_back({' ', line(a, --cx)}), --cy;
            return std::vector<DiffLine>(rev.rbegin(), rev.rend());
        }
    }
    return std::nullopt;
}

struct ChainText {
    std::string policy;
    Lines rules;
};
using Chains = std::map<std::pair<std::string, std::string>, ChainText>;

Chains parse_save(const std::string& text) {
    Chains chains;
    for (const auto& section : split_tables(text)) {
        for (const auto& [name, policy] : section.chains) chains[{section.name, name}].policy = policy;
        std::istringstream in(section.text);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("-A ", 0) != 0) continue;
            std::size_t end = line.find(' ', 3);
            std::string chain = line.substr(3, end == std::string::npos ? std::string::npos : end - 3);
            chains[{section.name, chain}].rules.push_back(line);
        }
    }
    return chains;
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

/// Loads `text` into a private network namespace made for this call (a child process that
/// unshares its network namespace; the namespace goes with it) and returns that namespace's
/// save output. Empty `error` on success.
std::string save_in_scratch_namespace(const Tools& tools, ir::Family f, const std::string& text,
                                      std::string& error) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return {};
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return {};
    }
    if (pid == 0) {
        ::close(fds[0]);
        if (::unshare(CLONE_NEWNET) != 0) {
            write_all(fds[1], std::string("Ecannot make a private network namespace: ") + std::strerror(errno));
            ::_exit(1);
        }
        ExecResult r = run_restore(tools, f, text, LoadMode::NoFlush);
        if (!r.ok()) {
            write_all(fds[1], "Ethe compiled ruleset does not load in a scratch namespace: " +
                                  (r.error.empty() ? r.err : r.error));
            ::_exit(1);
        }
        ExecResult s = run_save(tools, f);
        if (!s.ok()) {
            write_all(fds[1], "E" + tools.of(f).save + " failed: " + (s.error.empty() ? s.err : s.error));
            ::_exit(1);
        }
        ::_exit(write_all(fds[1], "O" + s.out) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string got;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got.empty() || got[0] != 'O' || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error = got.size() > 1 && got[0] == 'E' ? got.substr(1) : "the scratch namespace child failed";
        while (!error.empty() && error.back() == '\n') error.pop_back();
        return {};
    }
    return got.substr(1);
}

}  // namespace

std::vector<DiffLine> line_diff(const Lines& a, const Lines& b) {
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
    std::vector<DiffLine> out;
    for (std::size_t i = 0; i < pre; ++i) out.push_back({' ', a[i]});
    Lines ma(a.begin() + static_cast<std::ptrdiff_t>(pre), a.end() - static_cast<std::ptrdiff_t>(suf));
    Lines mb(b.begin() + static_cast<std::ptrdiff_t>(pre), b.end() - static_cast<std::ptrdiff_t>(suf));
    auto middle = myers(ma, mb);
    if (middle) {
        out.insert(out.end(), middle->begin(), middle->end());
    } else {
        for (const auto& l : ma) out.push_back({'-', l});
        for (const auto& l : mb) out.push_back({'+', l});
    }
    for (std::size_t i = a.size() - suf; i < a.size(); ++i) out.push_back({' ', a[i]});
    return out;
}

std::vector<ChainDrift> compare_saves(const std::string& family, const std::string& kernel,
                                      const std::string& config,
                                      const std::vector<std::pair<std::string, std::string>>& owned) {
    const Chains have = parse_save(kernel);
    const Chains want = parse_save(config);
    std::vector<ChainDrift> out;
    for (const auto& key : owned) {
        ChainDrift d;
        d.family = family;
        d.table = key.first;
        d.chain = key.second;
        auto w = want.find(key);
        static const ChainText kNone;
        const ChainText& wanted = w == want.end() ? kNone : w->second;
        d.config_policy = wanted.policy;
        auto h = have.find(key);
        if (h == have.end()) {
            d.status = ChainDrift::Status::MissingInKernel;
            for (const auto& r : wanted.rules) d.lines.push_back({'+', r});
            d.added = wanted.rules.size();
            out.push_back(std::move(d));
            continue;
        }
        d.kernel_policy = h->second.policy;
        for (auto& line : line_diff(h->second.rules, wanted.rules)) {
            if (line.op == ' ') continue;
            ++(line.op == '+' ? d.added : d.removed);
            d.lines.push_back(std::move(line));
        }
        if (d.lines.empty() && d.kernel_policy == d.config_policy) continue;
        out.push_back(std::move(d));
    }
    return out;
}

DriftReport drift(const std::filesystem::path& config_dir, const LoadOptions& options) {
    DriftReport report;
    auto loaded = load_and_check(config_dir, options, report.diags);
    if (report.diags.has_errors()) return report;
    compile::CompileOptions copts;
    compile::Compiled compiled = compile::compile(loaded.config, copts, report.diags);
    if (report.diags.has_errors()) return report;
    std::vector<std::string> notes;
    auto tools = resolve_tools(loaded.config.settings, notes, report.error);
    if (!tools) return report;
    for (const ir::Ruleset* rs : {&compiled.ipv4, &compiled.ipv6}) {
        const std::string family(ir::family_name(rs->family));
        if (rs->family == ir::Family::Ipv6 && !kernel_has_ipv6()) continue;
        std::vector<std::pair<std::string, std::string>> owned;
        for (const auto& t : rs->tables) {
            for (const auto& c : t.chains) {
                if (c.kind != ir::Chain::Kind::Hook) owned.emplace_back(t.name, c.name);
            }
        }
        render::RenderOptions ro;
        ro.header.clear();
        std::string config_save = save_in_scratch_namespace(*tools, rs->family, render::iptables_restore(*rs, ro),
                                                            report.error);
        if (!report.error.empty()) return report;
        ExecResult kernel = run_save(*tools, rs->family);
        if (!kernel.ok()) {
            report.error = tools->of(rs->family).save + " failed: " +
                           (kernel.error.empty() ? kernel.err : kernel.error);
            while (!report.error.empty() && report.error.back() == '\n') report.error.pop_back();
            return report;
        }
        report.families.push_back(family);
        auto chains = compare_saves(family, normalize_save(kernel.out), normalize_save(config_save), owned);
        for (auto& c : chains) report.chains.push_back(std::move(c));
    }
    return report;
}

}  // namespace vuurmuur::apply
