// SPDX-License-Identifier: GPL-2.0-or-later
// The libiptc backend's loader: iptables-restore text -> libxtables -> libiptc.
#include "vuurmuur/apply/libiptc.h"

#ifndef VUURMUUR_HAVE_LIBIPTC

namespace vuurmuur::apply {

ExecResult libiptc_restore(ir::Family, const std::string&, LoadMode) {
    ExecResult r;
    r.exit_code = -1;
    r.error = backend_unusable(Backend::Libiptc, Variant::Legacy, Variant::Legacy);
    return r;
}

}  // namespace vuurmuur::apply

#else

#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <libiptc/libiptc.h>
#include <xtables.h>
extern "C" {  // libip6tc.h, unlike libiptc.h, does not say so itself
#include <libiptc/libip6tc.h>
}

// Exported by libxtables but not declared in xtables.h: extensions registered by a dlopen
// and not looked up yet.
extern "C" {
extern struct xtables_match* xtables_pending_matches;
extern struct xtables_target* xtables_pending_targets;
}

namespace vuurmuur::apply {

namespace {

/// What a line of the text could not become; `what` is the message without the line.
struct LineError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// libxtables reports a bad option through xt_params->exit_err, which must not return.
/// iptables exits there; here it throws, and the load in progress is abandoned.
__attribute__((noreturn, format(printf, 2, 3))) void throw_xtables_error(enum xtables_exittype, const char* msg,
                                                                            ...) {
    char buf[512];
    va_list ap;
    va_start(ap, msg);
    std::vsnprintf(buf, sizeof buf, msg, ap);
    va_end(ap);
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    throw LineError(s);
}

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};
template <typename T>
using CPtr = std::unique_ptr<T, FreeDeleter>;

/// libxtables keeps its extensions in process-wide lists, and an extension registers only
/// the variant of the family that is current when its library is opened. One session per
/// load: it opens the extensions for one family and, when done, closes them again and
/// empties the lists, so the next load (maybe the other family) starts from scratch.
class XtablesSession {
public:
    explicit XtablesSession(ir::Family f) {
        globals_.program_name = "vuurmuur";
        globals_.program_version = XTABLES_VERSION;
        globals_.exit_err = throw_xtables_error;
        globals_.compat_rev = xtables_compatible_revision;
        uint8_t proto = f == ir::Family::Ipv4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
        if (xtables_init_all(&globals_, proto) < 0) throw std::runtime_error("libxtables did not initialise");
    }
    ~XtablesSession() {
        for (auto* m = xtables_matches; m != nullptr; m = m->next) {
            std::free(m->udata);
            m->udata = nullptr;
        }
        for (auto* t = xtables_targets; t != nullptr; t = t->next) {
            std::free(t->udata);
            t->udata = nullptr;
        }
        xtables_matches = nullptr;
        xtables_targets = nullptr;
        xtables_pending_matches = nullptr;
        xtables_pending_targets = nullptr;
        xtables_fini();
    }
    XtablesSession(const XtablesSession&) = delete;
    XtablesSession& operator=(const XtablesSession&) = delete;

private:
    xtables_globals globals_{};
};

/// iptables-restore's word splitting: whitespace separates, "..." quotes (a backslash
/// inside escapes the next character), an empty "" is a word.
std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> words;
    std::string w;
    bool in_word = false, quoted = false, escaped = false;
    for (char c : line) {
        if (quoted) {
            if (escaped) {
                w += c;
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                quoted = false;
                words.push_back(w);
                w.clear();
                in_word = false;
            } else {
                w += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            in_word = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            if (in_word) words.push_back(w);
            w.clear();
            in_word = false;
            continue;
        }
        w += c;
        in_word = true;
    }
    if (quoted) throw LineError("unterminated quoted string");
    if (in_word) words.push_back(w);
    return words;
}

xt_counters parse_counters(const std::string& s) {
    // "[packets:bytes]"
    xt_counters c{};
    unsigned long long p = 0, b = 0;
    char close = 0;
    if (std::sscanf(s.c_str(), "[%llu:%llu%c", &p, &b, &close) != 3 || close != ']') {
        throw LineError("bad counters '" + s + "'");
    }
    c.pcnt = p;
    c.bcnt = b;
    return c;
}

// ---------------------------------------------------------------------------------------
// The two families' libiptc and entry layouts.

struct V4 {
    using Entry = ipt_entry;
    static constexpr ir::Family family = ir::Family::Ipv4;
    static xtc_handle* init(const char* t) { return iptc_init(t); }
    static void free(xtc_handle* h) { iptc_free(h); }
    static const char* first_chain(xtc_handle* h) { return iptc_first_chain(h); }
    static const char* next_chain(xtc_handle* h) { return iptc_next_chain(h); }
    static bool is_chain(const char* c, xtc_handle* h) { return iptc_is_chain(c, h) != 0; }
    static bool builtin(const char* c, xtc_handle* h) { return iptc_builtin(c, h) != 0; }
    static bool create_chain(const char* c, xtc_handle* h) { return iptc_create_chain(c, h) != 0; }
    static bool delete_chain(const char* c, xtc_handle* h) { return iptc_delete_chain(c, h) != 0; }
    static bool flush(const char* c, xtc_handle* h) { return iptc_flush_entries(c, h) != 0; }
    static bool append(const char* c, const Entry* e, xtc_handle* h) { return iptc_append_entry(c, e, h) != 0; }
    static bool insert(const char* c, const Entry* e, unsigned n, xtc_handle* h) {
        return iptc_insert_entry(c, e, n, h) != 0;
    }
    static bool set_policy(const char* c, const char* p, xt_counters* k, xtc_handle* h) {
        return iptc_set_policy(c, p, k, h) != 0;
    }
    static bool commit(xtc_handle* h) { return iptc_commit(h) != 0; }
    static const char* strerror(int e) { return iptc_strerror(e); }

    static void address(Entry& e, bool source, const char* arg, bool invert) {
        in_addr* addrs = nullptr;
        in_addr mask{};
        unsigned int n = 0;
        xtables_ipparse_any(arg, &addrs, &mask, &n);
        CPtr<in_addr> owned(addrs);
        if (n != 1) throw LineError(std::string("'") + arg + "' is not exactly one address");
        (source ? e.ip.src : e.ip.dst) = addrs[0];
        (source ? e.ip.smsk : e.ip.dmsk) = mask;
        if (invert) e.ip.invflags |= source ? IPT_INV_SRCIP : IPT_INV_DSTIP;
    }
    static void interface(Entry& e, bool in, const char* arg, bool invert) {
        if (in) xtables_parse_interface(arg, e.ip.iniface, e.ip.iniface_mask);
        else xtables_parse_interface(arg, e.ip.outiface, e.ip.outiface_mask);
        if (invert) e.ip.invflags |= in ? IPT_INV_VIA_IN : IPT_INV_VIA_OUT;
    }
    static void protocol(Entry& e, uint16_t proto, bool invert) {
        e.ip.proto = proto;
        if (invert) e.ip.invflags |= XT_INV_PROTO;
    }
    static uint16_t protocol_of(const Entry& e) { return e.ip.proto; }
    static void fragment(Entry& e, bool invert) {
        e.ip.flags |= IPT_F_FRAG;
        if (invert) e.ip.invflags |= IPT_INV_FRAG;
    }
    static void go_to(Entry& e) { e.ip.flags |= IPT_F_GOTO; }
};

struct V6 {
    using Entry = ip6t_entry;
    static constexpr ir::Family family = ir::Family::Ipv6;
    static xtc_handle* init(const char* t) { return ip6tc_init(t); }
    static void free(xtc_handle* h) { ip6tc_free(h); }
    static const char* first_chain(xtc_handle* h) { return ip6tc_first_chain(h); }
    static const char* next_chain(xtc_handle* h) { return ip6tc_next_chain(h); }
    static bool is_chain(const char* c, xtc_handle* h) { return ip6tc_is_chain(c, h) != 0; }
    static bool builtin(const char* c, xtc_handle* h) { return ip6tc_builtin(c, h) != 0; }
    static bool create_chain(const char* c, xtc_handle* h) { return ip6tc_create_chain(c, h) != 0; }
    static bool delete_chain(const char* c, xtc_handle* h) { return ip6tc_delete_chain(c, h) != 0; }
    static bool flush(const char* c, xtc_handle* h) { return ip6tc_flush_entries(c, h) != 0; }
    static bool append(const char* c, const Entry* e, xtc_handle* h) { return ip6tc_append_entry(c, e, h) != 0; }
    static bool insert(const char* c, const Entry* e, unsigned n, xtc_handle* h) {
        return ip6tc_insert_entry(c, e, n, h) != 0;
    }
    static bool set_policy(const char* c, const char* p, xt_counters* k, xtc_handle* h) {
        return ip6tc_set_policy(c, p, k, h) != 0;
    }
    static bool commit(xtc_handle* h) { return ip6tc_commit(h) != 0; }
    static const char* strerror(int e) { return ip6tc_strerror(e); }

    static void address(Entry& e, bool source, const char* arg, bool invert) {
        in6_addr* addrs = nullptr;
        in6_addr mask{};
        unsigned int n = 0;
        xtables_ip6parse_any(arg, &addrs, &mask, &n);
        CPtr<in6_addr> owned(addrs);
        if (n != 1) throw LineError(std::string("'") + arg + "' is not exactly one address");
        (source ? e.ipv6.src : e.ipv6.dst) = addrs[0];
        (source ? e.ipv6.smsk : e.ipv6.dmsk) = mask;
        if (invert) e.ipv6.invflags |= source ? IP6T_INV_SRCIP : IP6T_INV_DSTIP;
    }
    static void interface(Entry& e, bool in, const char* arg, bool invert) {
        if (in) xtables_parse_interface(arg, e.ipv6.iniface, e.ipv6.iniface_mask);
        else xtables_parse_interface(arg, e.ipv6.outiface, e.ipv6.outiface_mask);
        if (invert) e.ipv6.invflags |= in ? IP6T_INV_VIA_IN : IP6T_INV_VIA_OUT;
    }
    static void protocol(Entry& e, uint16_t proto, bool invert) {
        // As ip6tables(-legacy) 1.8.9: the kernel tests the protocol only with this flag.
        e.ipv6.proto = proto;
        e.ipv6.flags |= IP6T_F_PROTO;
        if (invert) e.ipv6.invflags |= XT_INV_PROTO;
    }
    static uint16_t protocol_of(const Entry& e) { return e.ipv6.proto; }
    static void fragment(Entry&, bool) { throw LineError("-f is IPv4 only"); }
    static void go_to(Entry& e) { e.ipv6.flags |= IP6T_F_GOTO; }
};

template <typename F>
struct HandleDeleter {
    void operator()(xtc_handle* h) const { F::free(h); }
};
template <typename F>
using Handle = std::unique_ptr<xtc_handle, HandleDeleter<F>>;

/// The matches and the target of one rule being built; frees what libxtables allocated for
/// it (the extensions' entry structures live in the shared extension objects).
class RuleParts {
public:
    RuleParts() {
        // What do_parse() of iptables does first: forget the previous rule's flags.
        for (auto* m = xtables_matches; m != nullptr; m = m->next) m->mflags = 0;
        for (auto* t = xtables_targets; t != nullptr; t = t->next) {
            t->tflags = 0;
            t->used = 0;
        }
    }
    ~RuleParts() {
        for (auto* mp = matches; mp != nullptr; mp = mp->next) {
            if (mp->match != nullptr && mp->match->next == mp->match) {  // a clone
                std::free(mp->match->udata);
                mp->match->udata = nullptr;
            }
        }
        xtables_rule_matches_free(&matches);
        if (target != nullptr) {
            std::free(target->t);
            target->t = nullptr;
        }
    }
    RuleParts(const RuleParts&) = delete;
    RuleParts& operator=(const RuleParts&) = delete;

    xtables_match* add_match(const char* name) {
        xtables_match* m = xtables_find_match(name, XTF_TRY_LOAD, &matches);
        if (m == nullptr) throw LineError(std::string("unknown match '") + name + "' (no such extension)");
        std::size_t size = XT_ALIGN(sizeof(xt_entry_match)) + m->size;
        m->m = static_cast<xt_entry_match*>(xtables_calloc(1, size));
        m->m->u.match_size = static_cast<uint16_t>(size);
        std::strcpy(m->m->u.user.name, m->real_name != nullptr ? m->real_name : m->name);
        m->m->u.user.revision = m->revision;
        if (m->udata_size != 0) {
            std::free(m->udata);
            m->udata = xtables_calloc(1, m->udata_size);
        }
        if (m->init != nullptr) m->init(m->m);
        order.push_back(m);
        return m;
    }

    /// `name` as a target: an extension, or the standard target for a verdict or a chain.
    void set_target(const std::string& name, bool chain) {
        xtables_target* t = nullptr;
        if (!chain) t = xtables_find_target(name.c_str(), XTF_TRY_LOAD);
        if (t == nullptr && !chain) {
            throw LineError("unknown target '" + name + "' (neither an extension nor a chain of the table)");
        }
        if (t == nullptr) {
            t = xtables_find_target(XT_STANDARD_TARGET, XTF_LOAD_MUST_SUCCEED);
            if (t == nullptr) throw LineError("the standard target is missing");
        }
        if (name.size() >= XT_EXTENSION_MAXNAMELEN) throw LineError("target name '" + name + "' is too long");
        std::size_t size = XT_ALIGN(sizeof(xt_entry_target)) + t->size;
        t->t = static_cast<xt_entry_target*>(xtables_calloc(1, size));
        target = t;
        t->t->u.target_size = static_cast<uint16_t>(size);
        const bool standard = std::strcmp(t->name, "standard") == 0;  // libxtables' name for it
        std::strcpy(t->t->u.user.name, standard ? name.c_str() : t->real_name != nullptr ? t->real_name : t->name);
        t->t->u.user.revision = t->revision;
        if (t->udata_size != 0) {
            std::free(t->udata);
            t->udata = xtables_calloc(1, t->udata_size);
        }
        if (t->init != nullptr) t->init(t->t);
    }

    xtables_rule_match* matches = nullptr;
    std::vector<xtables_match*> order;  ///< in the order of -m
    xtables_target* target = nullptr;
};

/// How option `name` of an extension is handled: its id/val and whether it takes a value.
struct OptionRef {
    unsigned int code = 0;
    bool takes_arg = false;
};

std::optional<OptionRef> find_option(const xt_option_entry* x6, const option* extra, const std::string& name) {
    if (x6 != nullptr) {
        for (const auto* o = x6; o->name != nullptr; ++o) {
            if (name == o->name) return OptionRef{o->id, o->type != XTTYPE_NONE};
        }
        return std::nullopt;
    }
    if (extra != nullptr) {
        for (const auto* o = extra; o->name != nullptr; ++o) {
            if (name == o->name) return OptionRef{static_cast<unsigned>(o->val), o->has_arg == required_argument};
        }
    }
    return std::nullopt;
}

template <typename F>
class Loader {
public:
    using Entry = typename F::Entry;
    using Blob = CPtr<Entry>;

    /// Builds the entry of a rule from its words (after "-A CHAIN"). `is_chain` tells
    /// whether a -j/-g name is a chain of the table.
    template <typename IsChain>
    Blob build(std::vector<std::string> words, const xt_counters* counters, IsChain is_chain) {
        Entry e{};
        RuleParts parts;
        // argv for the extensions: some old-style parsers read argv[optind] for a second
        // value (-m set --match-set NAME FLAGS).
        std::vector<char*> argv;
        std::string prog = "vuurmuur";
        argv.push_back(prog.data());
        for (auto& w : words) argv.push_back(w.data());
        argv.push_back(nullptr);
        const int argc = static_cast<int>(words.size()) + 1;

        bool invert = false;
        bool have_target = false;
        std::string proto_name;
        auto value = [&](int& i, const std::string& opt) -> char* {
            if (i + 1 >= argc) throw LineError("option " + opt + " needs a value");
            return argv[static_cast<std::size_t>(++i)];
        };
        for (int i = 1; i < argc; ++i) {
            const std::string w = argv[static_cast<std::size_t>(i)];
            if (w == "!") {
                if (invert) throw LineError("double '!'");
                invert = true;
                continue;
            }
            if (w == "-s" || w == "--source" || w == "--src" || w == "-d" || w == "--destination" || w == "--dst") {
                F::address(e, w[1] == 's' || w == "--src", value(i, w), invert);
            } else if (w == "-i" || w == "--in-interface" || w == "-o" || w == "--out-interface") {
                F::interface(e, w == "-i" || w == "--in-interface", value(i, w), invert);
            } else if (w == "-p" || w == "--protocol") {
                proto_name = value(i, w);
                F::protocol(e, xtables_parse_protocol(proto_name.c_str()), invert);
            } else if (w == "-f" || w == "--fragment") {
                F::fragment(e, invert);
            } else if (w == "-m" || w == "--match") {
                if (invert) throw LineError("'!' before -m");
                parts.add_match(value(i, w));
            } else if (w == "-j" || w == "--jump" || w == "-g" || w == "--goto") {
                if (invert) throw LineError("'!' before " + w);
                if (have_target) throw LineError("more than one target");
                const bool go_to = w == "-g" || w == "--goto";
                std::string name = value(i, w);
                if (go_to) F::go_to(e);
                parts.set_target(name, go_to || is_chain(name));
                have_target = true;
            } else if (w == "-c" || w == "--set-counters") {
                e.counters.pcnt = std::strtoull(value(i, w), nullptr, 10);
                e.counters.bcnt = std::strtoull(value(i, w), nullptr, 10);
            } else if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
                i = extension_option(parts, argv, argc, i, w.substr(2), invert, e, proto_name);
            } else {
                throw LineError("unexpected '" + w + "'");
            }
            invert = false;
        }
        if (invert) throw LineError("'!' at the end of the rule");
        for (auto* m : parts.order) xtables_option_mfcall(m);
        if (parts.target == nullptr) parts.set_target("", true);  // a counting rule
        else if (parts.target->t != nullptr) xtables_option_tfcall(parts.target);
        if (counters != nullptr) e.counters = *counters;

        // The entry: header, matches in order, target.
        std::size_t size = sizeof(Entry);
        for (auto* mp = parts.matches; mp != nullptr; mp = mp->next) size += mp->match->m->u.match_size;
        const std::size_t total = size + parts.target->t->u.target_size;
        Blob blob(static_cast<Entry*>(std::calloc(1, total)));
        if (!blob) throw std::bad_alloc();
        *blob = e;
        blob->target_offset = static_cast<uint16_t>(size);
        blob->next_offset = static_cast<uint16_t>(total);
        auto* at = reinterpret_cast<unsigned char*>(blob->elems);
        for (auto* mp = parts.matches; mp != nullptr; mp = mp->next) {
            std::memcpy(at, mp->match->m, mp->match->m->u.match_size);
            at += mp->match->m->u.match_size;
        }
        std::memcpy(at, parts.target->t, parts.target->t->u.target_size);
        return blob;
    }

private:
    /// An extension's "--name [value]" at argv[i]: the target's after -j, else the most
    /// recent match that knows it, else the protocol's match loaded implicitly (as iptables
    /// does for "-p tcp --dport 22"). Returns the index of the last word used.
    int extension_option(RuleParts& parts, std::vector<char*>& argv, int argc, int i, const std::string& name,
                         bool invert, Entry& e, const std::string& proto_name) {
        auto call = [&](auto* ext, const OptionRef& ref, bool is_target) -> int {
            int next = i + 1;
            if (ref.takes_arg) {
                if (next >= argc) throw LineError("option --" + name + " needs a value");
                optarg = argv[static_cast<std::size_t>(next)];
                ++next;
            } else {
                optarg = nullptr;
            }
            optind = next;
            if constexpr (std::is_same_v<std::remove_pointer_t<decltype(ext)>, xtables_target>) {
                (void)is_target;
                xtables_option_tpcall(ref.code + ext->option_offset, argv.data(), invert, ext, &e);
            } else {
                xtables_option_mpcall(ref.code + ext->option_offset, argv.data(), invert, ext, &e);
            }
            // An old-style parser may have taken more words (optind moved on).
            return std::max(next, optind) - 1;
        };
        if (parts.target != nullptr && parts.target->t != nullptr) {
            if (auto ref = find_option(parts.target->x6_options, parts.target->extra_opts, name)) {
                return call(parts.target, *ref, true);
            }
        }
        for (auto it = parts.order.rbegin(); it != parts.order.rend(); ++it) {
            if (auto ref = find_option((*it)->x6_options, (*it)->extra_opts, name)) return call(*it, *ref, false);
        }
        if (!proto_name.empty() && F::protocol_of(e) != 0) {
            bool loaded = false;
            for (auto* m : parts.order) loaded = loaded || proto_name == m->name;
            if (!loaded) {
                if (xtables_find_match(proto_name.c_str(), XTF_TRY_LOAD, nullptr) != nullptr) {
                    xtables_match* m = parts.add_match(proto_name.c_str());
                    if (auto ref = find_option(m->x6_options, m->extra_opts, name)) return call(m, *ref, false);
                }
            }
        }
        throw LineError("unknown option --" + name);
    }
};

/// One table section being loaded.
template <typename F>
class TableLoad {
public:
    TableLoad(const std::string& name, LoadMode mode) : name_(name), mode_(mode) {
        handle_.reset(F::init(name.c_str()));
        if (!handle_) throw LineError("cannot open table '" + name + "': " + F::strerror(errno));
        if (mode_ == LoadMode::Replace) {
            // iptables-restore without --noflush: the table is emptied first.
            auto chains = chain_names();
            for (const auto& c : chains) {
                if (!F::flush(c.c_str(), h())) fail("cannot flush chain " + c);
            }
            for (const auto& c : chains) {
                if (!F::builtin(c.c_str(), h()) && !F::delete_chain(c.c_str(), h())) fail("cannot delete chain " + c);
            }
        }
    }

    void declare(const std::vector<std::string>& words) {
        // ":NAME POLICY [p:b]"
        if (words.size() < 2) throw LineError("bad chain declaration");
        const std::string name = words[0].substr(1);
        const std::string& policy = words[1];
        if (name.empty() || name.size() >= XT_EXTENSION_MAXNAMELEN) throw LineError("bad chain name '" + name + "'");
        if (F::builtin(name.c_str(), h())) {
            if (policy == "-") throw LineError("built-in chain " + name + " needs a policy");
            // As iptables-restore: policy counters from the line with --counters, else zero.
            xt_counters count{};
            if (mode_ == LoadMode::Replace && words.size() > 2) count = parse_counters(words[2]);
            if (!F::set_policy(name.c_str(), policy.c_str(), &count, h())) fail("cannot set the policy of " + name);
            return;
        }
        if (mode_ != LoadMode::Replace && F::is_chain(name.c_str(), h())) {
            if (!F::flush(name.c_str(), h())) fail("cannot flush chain " + name);
        } else if (!F::create_chain(name.c_str(), h())) {
            fail("cannot create chain " + name);
        }
    }

    void command(std::vector<std::string> words, Loader<F>& loader) {
        std::optional<xt_counters> counters;
        if (!words.empty() && !words[0].empty() && words[0].front() == '[') {
            counters = parse_counters(words[0]);
            words.erase(words.begin());
        }
        if (words.empty()) throw LineError("empty command");
        const std::string cmd = words[0];
        auto chain_arg = [&]() -> std::string {
            if (words.size() < 2) throw LineError(cmd + " needs a chain");
            return words[1];
        };
        if (cmd == "-A" || cmd == "--append" || cmd == "-I" || cmd == "--insert") {
            const std::string chain = chain_arg();
            std::size_t first = 2;
            unsigned position = 0;
            const bool insert = cmd == "-I" || cmd == "--insert";
            if (insert && words.size() > 2 && !words[2].empty() &&
                words[2].find_first_not_of("0123456789") == std::string::npos) {
                position = static_cast<unsigned>(std::stoul(words[2]));
                if (position == 0) throw LineError("rule positions start at 1");
                --position;
                first = 3;
            }
            std::vector<std::string> rule(words.begin() + static_cast<std::ptrdiff_t>(first), words.end());
            auto blob = loader.build(std::move(rule), counters ? &*counters : nullptr,
                                     [&](const std::string& n) { return F::is_chain(n.c_str(), h()); });
            bool ok = insert ? F::insert(chain.c_str(), blob.get(), position, h())
                             : F::append(chain.c_str(), blob.get(), h());
            if (!ok) fail("cannot add the rule to chain " + chain);
        } else if (cmd == "-F" || cmd == "--flush") {
            std::vector<std::string> chains = words.size() > 1 ? std::vector<std::string>{words[1]} : chain_names();
            for (const auto& c : chains) {
                if (!F::flush(c.c_str(), h())) fail("cannot flush chain " + c);
            }
        } else if (cmd == "-N" || cmd == "--new-chain") {
            const std::string chain = chain_arg();
            if (!F::create_chain(chain.c_str(), h())) fail("cannot create chain " + chain);
        } else if (cmd == "-X" || cmd == "--delete-chain") {
            std::vector<std::string> chains;
            if (words.size() > 1) chains.push_back(words[1]);
            else {
                for (const auto& c : chain_names()) {
                    if (!F::builtin(c.c_str(), h())) chains.push_back(c);
                }
            }
            for (const auto& c : chains) {
                if (!F::delete_chain(c.c_str(), h())) fail("cannot delete chain " + c);
            }
        } else if (cmd == "-P" || cmd == "--policy") {
            if (words.size() < 3) throw LineError("-P needs a chain and a policy");
            xt_counters count{};
            if (!F::set_policy(words[1].c_str(), words[2].c_str(), &count, h())) {
                fail("cannot set the policy of " + words[1]);
            }
        } else {
            throw LineError("unknown command '" + cmd + "'");
        }
    }

    /// Commits the table (Test: only checks that it got this far). False with `why` when
    /// the kernel refused it.
    bool commit(std::string& why) {
        if (mode_ == LoadMode::Test) return true;
        if (F::commit(h())) return true;
        why = std::string("the kernel refused table ") + name_ + ": " + F::strerror(errno);
        return false;
    }

private:
    xtc_handle* h() const { return handle_.get(); }
    [[noreturn]] void fail(const std::string& what) const { throw LineError(what + ": " + F::strerror(errno)); }
    std::vector<std::string> chain_names() const {
        std::vector<std::string> out;
        for (const char* c = F::first_chain(h()); c != nullptr; c = F::next_chain(h())) out.emplace_back(c);
        return out;
    }

    std::string name_;
    LoadMode mode_;
    Handle<F> handle_;
};

template <typename F>
ExecResult load(const std::string& text, LoadMode mode) {
    ExecResult result;
    result.exit_code = 0;
    XtablesSession session(F::family);
    Loader<F> loader;
    std::optional<TableLoad<F>> table;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    try {
        while (std::getline(in, line)) {
            ++n;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto start = line.find_first_not_of(" \t");
            if (start == std::string::npos || line[start] == '#') continue;
            if (line[start] == '*') {
                if (table) throw LineError("table '" + line.substr(start + 1) + "' starts before COMMIT");
                table.emplace(line.substr(start + 1), mode);
                continue;
            }
            if (!table) throw LineError("a command outside of a table");
            if (line.compare(start, std::string::npos, "COMMIT") == 0) {
                std::string why;
                if (!table->commit(why)) {
                    result.exit_code = 1;
                    result.err = "libiptc: line " + std::to_string(n) + " failed: " + why + "\n";
                    return result;
                }
                table.reset();
                continue;
            }
            auto words = split_words(line.substr(start));
            if (words.empty() || words[0].empty()) throw LineError("a line without a command");
            if (words[0].front() == ':') table->declare(words);
            else table->command(std::move(words), loader);
        }
        if (table) throw LineError("COMMIT expected at the end of the text");
    } catch (const LineError& e) {
        result.exit_code = 1;
        result.err = "libiptc: line " + std::to_string(n) + ": " + e.what() + "\n";
    }
    return result;
}

/// libxtables and the extensions keep global state: one load at a time.
std::mutex load_mutex;

/// The lock the iptables-legacy programs take (XTABLES_LOCKFILE, default
/// /run/xtables.lock), so that no other tool changes a table between our read and our
/// commit (libiptc itself does not lock). Waited for up to 30 s, as run_restore's --wait=30.
class XtablesLock {
public:
    XtablesLock() {
        const char* env = std::getenv("XTABLES_LOCKFILE");
        const std::string path = env != nullptr && *env != '\0' ? env : "/run/xtables.lock";
        fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if ((errno != EWOULDBLOCK && errno != EINTR) || std::chrono::steady_clock::now() >= deadline) {
                int err = errno;
                ::close(fd_);
                throw std::runtime_error("cannot lock " + path + ": " +
                                         (err == EWOULDBLOCK ? "another iptables holds it" : std::strerror(err)));
            }
            // The iptables programs poll the same way (--wait-interval).
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
    }
    ~XtablesLock() { ::close(fd_); }
    XtablesLock(const XtablesLock&) = delete;
    XtablesLock& operator=(const XtablesLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace

ExecResult libiptc_restore(ir::Family family, const std::string& text, LoadMode mode) {
    std::lock_guard<std::mutex> lock(load_mutex);
    try {
        XtablesLock xtables_lock;
        return family == ir::Family::Ipv4 ? load<V4>(text, mode) : load<V6>(text, mode);
    } catch (const std::exception& e) {
        ExecResult r;
        r.exit_code = -1;
        r.error = std::string("libiptc: ") + e.what();
        return r;
    }
}

}  // namespace vuurmuur::apply

#endif
