// SPDX-License-Identifier: GPL-2.0-or-later
// The bad-input corpus (tests/bad-input/README.md): every case is a broken config tree that
// the real binary must answer with its diagnostics and exit code, never with a crash, a hang,
// an allocation sized by the input or an output sized by the input.
//
// Each case directory holds `expected`, and optionally `config/` (files laid over the base
// tree) and `setup` (what git cannot hold or should not: links, FIFOs, sockets, modes, huge,
// sparse and generated files). Per case, this test builds the tree in a temporary directory and
// runs `vuurmuur-script --config-dir DIR check` and `... compile` through fork/exec, with a
// deadline, an address-space limit (or ASan's allocation cap in a sanitizer build), and the
// child's peak RSS taken from wait4.
//
// VUURMUUR_BAD_INPUT_SHOW=1 prints what each case gave (to write a new case's `expected`);
// VUURMUUR_BAD_INPUT_CASE=NAME runs one case.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_tree.h"

namespace fs = std::filesystem;
using vuurmuur::test::TempDir;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

/// Bounds every case must stay within. The largest file the loader reads is 16 MiB
/// (kMaxFileBytes); the peak RSS limit leaves room for that file and the default tree, and
/// nothing sized by the input beyond it.
constexpr int kDeadlineSeconds = 60;
constexpr long kMaxRssMiB = 256;            // without sanitizers
constexpr long kMaxRssMiBSanitized = 768;   // ASan's shadow memory and quarantine
constexpr rlim_t kAddressSpace = rlim_t{2} << 30;
constexpr std::size_t kMaxOutputBytes = 2u * 1024u * 1024u;
/// `run-as nobody`: when the test runs as root, the case's tree is given to this uid/gid and
/// the binary runs as it, so that modes mean what they say (root reads every file).
constexpr uid_t kNobody = 65534;

struct Run {
    int exit_code = -1;  ///< -1: killed by a signal (see signal), or past the deadline
    int signal = 0;
    bool timed_out = false;
    long max_rss_kib = 0;
    std::string out;
    std::string err;
};

/// fork/exec with captured output, a deadline, limits and the child's rusage.
Run run_bounded(const std::vector<std::string>& argv, bool as_nobody) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        if (as_nobody && (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
            ::_exit(126);
        }
        if (kSanitized) {
            // ASan reserves terabytes of address space, so RLIMIT_AS cannot be used; its own
            // cap makes an oversized allocation a report and a failure instead.
            std::string opts = "max_allocation_size_mb=512:allocator_may_return_null=0";
            if (const char* inherited = std::getenv("ASAN_OPTIONS")) opts = std::string(inherited) + ":" + opts;
            ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
        } else {
            rlimit limit{kAddressSpace, kAddressSpace};
            ::setrlimit(RLIMIT_AS, &limit);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    Run run;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kDeadlineSeconds);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            run.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                char buf[65536];
                ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
                if (got <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open_fds;
                } else {
                    std::string& to = i == 0 ? run.out : run.err;
                    // Keep a bounded prefix; the size is still checked by the caller.
                    if (to.size() < kMaxOutputBytes + 1) to.append(buf, static_cast<std::size_t>(got));
                }
            }
        }
    }
    for (auto& fd : fds) {
        if (fd.fd >= 0) ::close(fd.fd);
    }
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    run.max_rss_kib = usage.ru_maxrss;
    if (WIFEXITED(status)) {
        run.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        run.signal = WTERMSIG(status);
    }
    return run;
}

// ---------------------------------------------------------------------------------------
// The case files

std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    std::size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

/// The lines of a file without comments ('#' first) and blank lines.
std::vector<std::string> directive_lines(const fs::path& file) {
    std::vector<std::string> lines;
    if (!fs::exists(file)) return lines;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        lines.push_back(line);
    }
    return lines;
}

/// Splits "verb rest" at the first space.
std::pair<std::string, std::string> split_verb(const std::string& line) {
    std::size_t sp = line.find(' ');
    if (sp == std::string::npos) return {line, ""};
    return {line.substr(0, sp), trim(line.substr(sp + 1))};
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

/// PIECES: "C-escaped text" optionally followed by *N (repeated N times), separated by
/// spaces. Escapes: \n \r \t \0 \\ \" \xNN.
std::string expand_pieces(const std::string& text) {
    std::string out;
    std::size_t i = 0;
    auto fail = [&](const std::string& why) { throw std::runtime_error("bad pieces '" + text + "': " + why); };
    while (true) {
        while (i < text.size() && text[i] == ' ') ++i;
        if (i >= text.size()) break;
        if (text[i] != '"') fail("expected '\"'");
        ++i;
        std::string piece;
        for (;;) {
            if (i >= text.size()) fail("unterminated string");
            char c = text[i++];
            if (c == '"') break;
            if (c != '\\') {
                piece += c;
                continue;
            }
            if (i >= text.size()) fail("dangling backslash");
            char e = text[i++];
            switch (e) {
                case 'n': piece += '\n'; break;
                case 'r': piece += '\r'; break;
                case 't': piece += '\t'; break;
                case '0': piece += '\0'; break;
                case '\\': piece += '\\'; break;
                case '"': piece += '"'; break;
                case 'x': {
                    if (i + 2 > text.size()) fail("short \\x");
                    piece += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
                    i += 2;
                    break;
                }
                default: fail(std::string("unknown escape \\") + e);
            }
        }
        std::size_t count = 1;
        if (i < text.size() && text[i] == '*') {
            std::size_t end = text.find(' ', i);
            if (end == std::string::npos) end = text.size();
            count = std::stoul(text.substr(i + 1, end - i - 1));
            i = end;
        }
        out.reserve(out.size() + piece.size() * count);
        for (std::size_t k = 0; k < count; ++k) out += piece;
    }
    return out;
}

void write_raw(const fs::path& path, const std::string& content, bool append) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    out.close();
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

struct Case {
    std::string name;
    fs::path dir;
};

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    const fs::path root = vuurmuur::test::source_dir() / "tests" / "bad-input";
    const char* only = std::getenv("VUURMUUR_BAD_INPUT_CASE");
    for (const auto& entry : fs::directory_iterator(root)) {
        if (!entry.is_directory() || !fs::exists(entry.path() / "expected")) continue;
        std::string name = entry.path().filename().string();
        if (only != nullptr && *only != '\0' && name != only) continue;
        cases.push_back({name, entry.path()});
    }
    std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
    return cases;
}

bool privileged() { return ::geteuid() == 0; }

struct Built {
    fs::path config_dir;              ///< what --config-dir names
    std::vector<fs::path> chmodded;   ///< put back to 0700 afterwards, so the tree can be removed
    bool as_nobody = false;           ///< `run-as nobody` and running as root
};


/// chown -R (without following links) of `root` and everything under it.
void give_to_nobody(const fs::path& root) {
    if (::lchown(root.c_str(), kNobody, kNobody) != 0) throw std::runtime_error("lchown " + root.string());
    for (const auto& entry : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied)) {
        if (::lchown(entry.path().c_str(), kNobody, kNobody) != 0 && errno != ENOENT) {
            throw std::runtime_error("lchown " + entry.path().string());
        }
    }
}

/// The tree of one case: the base, the case's config/ laid over it, then its setup steps.
Built build_tree(const Case& c, const fs::path& scratch) {
    Built built;
    const fs::path tree = scratch / "tree";
    std::string base = "default";
    built.config_dir = tree;
    bool run_as_nobody = false;
    const auto setup = directive_lines(c.dir / "setup");
    for (const auto& line : setup) {
        auto [verb, rest] = split_verb(line);
        if (verb == "base") base = rest;
    }
    if (base == "default") {
        vuurmuur::test::copy_default_tree(tree);
    } else if (base == "empty") {
        fs::create_directories(tree);
    } else {
        throw std::runtime_error(c.name + ": unknown base '" + base + "'");
    }
    fs::permissions(tree, fs::perms::owner_all);
    if (fs::exists(c.dir / "config")) {
        for (const auto& entry : fs::recursive_directory_iterator(c.dir / "config")) {
            fs::path target = tree / fs::relative(entry.path(), c.dir / "config");
            if (entry.is_directory()) {
                fs::create_directories(target);
            } else if (entry.is_regular_file()) {
                write_raw(target, vuurmuur::test::read_file(entry.path()), false);
            }
        }
    }
    for (const auto& line : setup) {
        auto [verb, rest] = split_verb(line);
        auto args = words(rest);
        auto need = [&](std::size_t n) {
            if (args.size() < n) throw std::runtime_error(c.name + ": setup '" + line + "' needs " + std::to_string(n) + " arguments");
        };
        if (verb == "base") continue;
        need(1);
        const fs::path at = tree / args[0];
        // The rest of the line after the first argument (for PIECES).
        const std::string after = trim(rest.substr(std::min(rest.size(), args[0].size())));
        if (verb == "remove") {
            fs::remove_all(at);
        } else if (verb == "write" || verb == "append") {
            write_raw(at, expand_pieces(after), verb == "append");
        } else if (verb == "repeat") {
            // repeat REL N PIECES: appends PIECES N times.
            need(2);
            std::size_t skip = rest.find(args[1], args[0].size()) + args[1].size();
            const std::string once = expand_pieces(trim(rest.substr(skip)));
            std::string all;
            const unsigned long n = std::stoul(args[1]);
            all.reserve(once.size() * n);
            for (unsigned long i = 0; i < n; ++i) all += once;
            write_raw(at, all, true);
        } else if (verb == "mkdir") {
            fs::create_directories(at);
        } else if (verb == "symlink") {
            need(2);
            fs::remove_all(at);
            fs::create_directories(at.parent_path());
            fs::create_symlink(args[1], at);
        } else if (verb == "fifo") {
            fs::remove_all(at);
            if (::mkfifo(at.c_str(), 0600) != 0) throw std::runtime_error("mkfifo " + at.string());
        } else if (verb == "socket") {
            fs::remove_all(at);
            int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            if (at.string().size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long");
            std::strcpy(addr.sun_path, at.c_str());
            if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
                throw std::runtime_error("bind " + at.string());
            }
            ::close(fd);
        } else if (verb == "sparse") {
            need(2);
            if (!fs::exists(at)) write_raw(at, "", false);
            fs::resize_file(at, std::stoull(args[1]));
        } else if (verb == "chmod") {
            need(2);
            fs::permissions(at, static_cast<fs::perms>(std::stoul(args[1], nullptr, 8)));
            built.chmodded.push_back(at);
        } else if (verb == "nest") {
            // nest REL NAME DEPTH [PIECES]: REL/NAME/NAME/... DEPTH deep; a file "x.host" (the
            // PIECES) at the bottom when given.
            need(3);
            fs::path deep = at;
            for (unsigned long i = 0, n = std::stoul(args[2]); i < n; ++i) deep /= args[1];
            fs::create_directories(deep);
            std::size_t skip = rest.find(args[2], args[0].size() + args[1].size() + 1) + args[2].size();
            std::string pieces = trim(rest.substr(skip));
            if (!pieces.empty()) write_raw(deep / "x.host", expand_pieces(pieces), false);
        } else if (verb == "many") {
            // many DIR PREFIX SUFFIX COUNT PIECES: COUNT files DIR/PREFIX<i>SUFFIX.
            need(4);
            std::string suffix = args[2] == "-" ? "" : args[2];
            unsigned long count = std::stoul(args[3]);
            std::size_t skip = 0;
            for (int k = 0; k < 4; ++k) skip = rest.find(args[static_cast<std::size_t>(k)], skip) + args[static_cast<std::size_t>(k)].size();
            std::string content = expand_pieces(trim(rest.substr(skip)));
            for (unsigned long i = 0; i < count; ++i) {
                write_raw(at / (args[1] + std::to_string(i) + suffix), content, false);
            }
        } else if (verb == "config-dir") {
            built.config_dir = at;
        } else if (verb == "run-as") {
            if (args[0] != "nobody") throw std::runtime_error(c.name + ": only 'run-as nobody' exists");
            run_as_nobody = true;
        } else {
            throw std::runtime_error(c.name + ": unknown setup verb '" + verb + "'");
        }
    }
    if (run_as_nobody && privileged()) {
        give_to_nobody(scratch);
        built.as_nobody = true;
    }
    return built;
}

/// Replaces every "<root>/" with "" so that expectations name paths relative to the tree.
std::string relative_to(std::string text, const std::string& root) {
    const std::string prefix = root + "/";
    for (std::size_t at; (at = text.find(prefix)) != std::string::npos;) text.erase(at, prefix.size());
    for (std::size_t at; (at = text.find(root)) != std::string::npos;) text.replace(at, root.size(), "DIR");
    return text;
}

/// `diag LOCATION SEVERITY SLUG [TEXT]`: a diagnostic line "LOCATION: SEVERITY: ... [SLUG]"
/// whose message contains TEXT.
struct DiagExpectation {
    std::string location, severity, slug, text;
    std::string str() const { return location + " " + severity + " " + slug + " " + text; }
};

struct Expectation {
    int exit = -1;
    int compile_exit = -2;  ///< -2: the same as exit
    long errors = -1, warnings = -1;
    std::vector<std::string> has, lacks;
    std::vector<DiagExpectation> diags;
};

Expectation read_expected(const Case& c) {
    Expectation e;
    for (auto line : directive_lines(c.dir / "expected")) {
        if (line.rfind("root:", 0) == 0) {
            if (!privileged()) continue;
            line = trim(line.substr(5));
        } else if (line.rfind("user:", 0) == 0) {
            if (privileged()) continue;
            line = trim(line.substr(5));
        }
        auto [verb, rest] = split_verb(line);
        if (verb == "exit") e.exit = std::stoi(rest);
        else if (verb == "compile") e.compile_exit = std::stoi(rest);
        else if (verb == "errors") e.errors = std::stol(rest);
        else if (verb == "warnings") e.warnings = std::stol(rest);
        else if (verb == "has") e.has.push_back(rest);
        else if (verb == "lacks") e.lacks.push_back(rest);
        else if (verb == "diag") {
            auto w = words(rest);
            if (w.size() < 3) throw std::runtime_error(c.name + ": diag needs LOCATION SEVERITY SLUG [TEXT]");
            std::size_t skip = 0;
            for (std::size_t k = 0; k < 3; ++k) skip = rest.find(w[k], skip) + w[k].size();
            e.diags.push_back({w[0], w[1], w[2], trim(rest.substr(skip))});
        }
        else throw std::runtime_error(c.name + ": unknown expectation '" + line + "'");
    }
    if (e.exit < 0) throw std::runtime_error(c.name + ": expected has no 'exit N'");
    if (e.compile_exit == -2) e.compile_exit = e.exit;
    return e;
}

/// "DIR: 3 errors, 1 warning" (the last line of check's stdout) -> 3 and 1.
bool summary_counts(const std::string& out, long& errors, long& warnings) {
    std::size_t colon = out.rfind(": ");
    std::size_t comma = out.rfind(", ");
    if (colon == std::string::npos || comma == std::string::npos || comma < colon) return false;
    char* end = nullptr;
    errors = std::strtol(out.c_str() + colon + 2, &end, 10);
    if (end == out.c_str() + colon + 2) return false;
    warnings = std::strtol(out.c_str() + comma + 2, &end, 10);
    return end != out.c_str() + comma + 2;
}

std::string describe(const char* what, const Run& r) {
    std::ostringstream s;
    s << what << ": exit " << r.exit_code;
    if (r.signal != 0) s << " (signal " << r.signal << ")";
    if (r.timed_out) s << " (killed after " << kDeadlineSeconds << " s)";
    s << ", peak RSS " << r.max_rss_kib / 1024 << " MiB, " << r.out.size() << "+" << r.err.size() << " bytes of output";
    return s.str();
}

/// The checks every run of every case must pass.
void check_bounded(const std::string& name, const char* what, const Run& r) {
    INFO(name << ": " << describe(what, r) << "\n" << r.err.substr(0, 4000));
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == 0);
    CHECK(r.exit_code != 254);  // internal error: an exception escaped
    CHECK(r.exit_code != 127);
    CHECK(r.err.find("AddressSanitizer") == std::string::npos);
    CHECK(r.err.find("runtime error:") == std::string::npos);
    const std::size_t output = r.out.size() + r.err.size();
    CHECK(output <= kMaxOutputBytes);
    const long rss_mib = r.max_rss_kib / 1024;
    const long rss_limit = kSanitized ? kMaxRssMiBSanitized : kMaxRssMiB;
    CHECK(rss_mib <= rss_limit);
}

}  // namespace

TEST_CASE("bad-input corpus: every case gives its diagnostics and exit code, within bounds") {
    const auto cases = all_cases();
    const bool show = std::getenv("VUURMUUR_BAD_INPUT_SHOW") != nullptr;
    const std::string script = (vuurmuur::test::binary_dir() / "vuurmuur-script").string();
    if (std::getenv("VUURMUUR_BAD_INPUT_CASE") == nullptr) CHECK(cases.size() >= 100);
    for (const auto& c : cases) {
        TempDir scratch;
        Built built;
        Expectation want;
        try {
            want = read_expected(c);
            built = build_tree(c, scratch.path());
        } catch (const std::exception& e) {
            FAIL_CHECK(c.name << ": " << e.what());
            continue;
        }
        const std::string root = built.config_dir.string();
        // As nobody, the build tree may not be reachable (a clone under a 0700 mktemp -d):
        // run a copy of the binary from the case's scratch directory, which nobody owns.
        std::string program = script;
        if (built.as_nobody) {
            const fs::path copy = scratch.path() / "vuurmuur-script";
            fs::copy_file(script, copy, fs::copy_options::overwrite_existing);
            program = copy.string();
        }
        Run check = run_bounded({program, "--config-dir", root, "check"}, built.as_nobody);
        Run compile = run_bounded({program, "--config-dir", root, "compile"}, built.as_nobody);
        Run json = run_bounded({program, "--config-dir", root, "check", "--json"}, built.as_nobody);
        // Put modes back so that the temporary directory can be removed.
        for (const auto& p : built.chmodded) {
            std::error_code ec;
            fs::permissions(p, fs::perms::owner_all, ec);
        }
        const std::string err = relative_to(check.err, root);
        const std::string out = relative_to(check.out, root);
        if (show) {
            std::cout << "==== " << c.name << "\n" << describe("check", check) << "\n"
                      << describe("compile", compile) << "\n" << out << err;
        }
        check_bounded(c.name, "check", check);
        check_bounded(c.name, "compile", compile);
        check_bounded(c.name, "check --json", json);

        INFO(c.name << "\n--- stdout:\n" << out << "--- stderr:\n" << err.substr(0, 3000));
        CHECK(check.exit_code == want.exit);
        CHECK(json.exit_code == want.exit);
        CHECK(compile.exit_code == want.compile_exit);
        long errors = -1, warnings = -1;
        if (want.errors >= 0 || want.warnings >= 0) {
            CHECK(summary_counts(out, errors, warnings));
            if (want.errors >= 0) CHECK(errors == want.errors);
            if (want.warnings >= 0) CHECK(warnings == want.warnings);
        }
        for (const auto& text : want.has) {
            INFO("has: " << text);
            CHECK(err.find(text) != std::string::npos);
        }
        for (const auto& d : want.diags) {
            INFO("diag: " << d.str());
            bool found = false;
            std::istringstream lines(err);
            for (std::string line; std::getline(lines, line);) {
                const std::string head = d.location + ": " + d.severity + ": ";
                const std::string tail = " [" + d.slug + "]";
                if (line.rfind(head, 0) == 0 && line.size() >= head.size() + tail.size() &&
                    line.compare(line.size() - tail.size(), tail.size(), tail) == 0 &&
                    line.find(d.text, head.size()) != std::string::npos) {
                    found = true;
                    break;
                }
            }
            CHECK(found);
        }
        for (const auto& text : want.lacks) {
            INFO("lacks: " << text);
            CHECK(err.find(text) == std::string::npos);
        }
        // check writes nothing but diagnostics to stderr: every line is one, ending in its
        // [code], or the hint under one.
        std::istringstream lines(err);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("  hint: ", 0) == 0) continue;
            if (line.rfind("note: ", 0) == 0 && line.find("more diagnostics were not shown") != std::string::npos) continue;
            INFO("stderr line: " << line.substr(0, 300));
            CHECK((!line.empty() && line.back() == ']'));
        }
    }
}

TEST_CASE("bad-input regression: rules add refuses a comment that could not be written back") {
    // Found by fuzz_rule: `comment=a"b` (an unquoted value holding a quote) was accepted and
    // written as comment=\"a\"b\", which no longer loaded (rules.conf then failed check).
    TempDir dir;
    vuurmuur::test::copy_default_tree(dir.path());
    const std::string before = vuurmuur::test::read_file(dir.path() / "rules/rules.conf");
    for (const char* rule : {"accept service ssh from local.lan to firewall options comment=a\"b",
                             "accept service ssh from local.lan to firewall options comment=ends\\",
                             "accept service ssh from local.lan to firewall options log,logprefix=x\"y"}) {
        INFO(rule);
        auto r = vuurmuur::test::run_script({"--config-dir", dir.path().string(), "rules", "add", rule});
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("between quotes") != std::string::npos);
    }
    CHECK(vuurmuur::test::read_file(dir.path() / "rules/rules.conf") == before);
    auto check = vuurmuur::test::run_script({"--config-dir", dir.path().string(), "check"});
    CHECK(check.exit_code == 0);
}

TEST_CASE("bad-input regression: a rule stored with escaped quotes is as long as the rule typed") {
    // Found by fuzz_edit_value: rules add took options of 256 characters, but rules.conf holds
    // them with every quote escaped (\"), and the loader measured that text: 274 characters,
    // "too-long", and the tree no longer checked.
    TempDir dir;
    vuurmuur::test::copy_default_tree(dir.path());
    const std::string head =
        "log,loglimit=\"1\",logprefix=\"pppppppppppppp\",limit=\"5/sec\",burst=\"10\",nfmark=\"4294967295\","
        "prio=\"255\",in_int=\"lan-nic\",out_int=\"inet-nic\",comment=\"";
    const std::string options = head + std::string(256 - head.size() - 1, 'c') + "\"";
    REQUIRE(options.size() == 256);
    auto add = vuurmuur::test::run_script({"--config-dir", dir.path().string(), "rules", "add",
                                           "accept service ssh from local.lan to world.inet options " + options});
    INFO(add.err);
    CHECK(add.exit_code == 0);
    auto check = vuurmuur::test::run_script({"--config-dir", dir.path().string(), "check"});
    INFO(check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.err.empty());
    // One more character is too long, typed or stored.
    auto longer = vuurmuur::test::run_script({"--config-dir", dir.path().string(), "rules", "add",
                                              "accept service ssh from local.lan to world.inet options " + options + ",log"});
    CHECK(longer.exit_code == 1);
    CHECK(longer.err.find("options are 260 characters; at most 256 fit") != std::string::npos);
}
