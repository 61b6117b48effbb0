// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/libiptc.h"

namespace vuurmuur::apply {

const char* backend_name(Backend b) { return b == Backend::Libiptc ? "libiptc" : "restore"; }

std::optional<Backend> parse_backend(std::string_view name) {
    if (name == "restore") return Backend::Restore;
    if (name == "libiptc") return Backend::Libiptc;
    return std::nullopt;
}

bool libiptc_available() {
#ifdef VUURMUUR_HAVE_LIBIPTC
    return true;
#else
    return false;
#endif
}

std::string backend_unusable(Backend backend, Variant ipv4, Variant ipv6) {
    if (backend != Backend::Libiptc) return {};
    if (!libiptc_available()) {
        return "the libiptc backend is not in this build (libip4tc, libip6tc or libxtables was missing when it "
               "was built); use --backend restore";
    }
    for (auto [family, v] : {std::pair{"IPv4", ipv4}, std::pair{"IPv6", ipv6}}) {
        if (v != Variant::Legacy) {
            return std::string("the libiptc backend needs iptables with the legacy backend, but this host's ") +
                   family + " iptables is " + variant_name(v) +
                   " (libiptc cannot load nf_tables); use --backend restore";
        }
    }
    return {};
}

ExecResult backend_restore(Backend backend, const Tools& tools, ir::Family family, const std::string& text,
                           LoadMode mode) {
    if (backend == Backend::Libiptc) return libiptc_restore(family, text, mode);
    return run_restore(tools, family, text, mode);
}

}  // namespace vuurmuur::apply
