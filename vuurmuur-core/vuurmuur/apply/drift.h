// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"

/// Drift detection (`vuurmuur-script diff`): what the kernel runs now against what the config
/// tree compiles to, chain by chain, for the chains the ruleset owns (built-in chains and the
/// VRMR chains; never the admin's PRE-VRMR-* hooks or foreign chains such as DOCKER-USER).
///
/// Both sides are compared in the kernel's own spelling: the compiled ruleset is loaded into a
/// private, throwaway network namespace and read back with iptables-save, so `-p tcp` vs
/// `-p tcp -m tcp`, address and comment formatting never show up as differences.
namespace vuurmuur::apply {

/// One line of a line diff: ' ' both, '-' only in the first (the kernel), '+' only in the
/// second (the config).
struct DiffLine {
    char op = ' ';
    std::string text;
    bool operator==(const DiffLine&) const = default;
};

/// The shortest edit script from `a` to `b` (Myers), as a line diff that keeps the common
/// lines. O((n+m)·d) for d differences.
std::vector<DiffLine> line_diff(const std::vector<std::string>& a, const std::vector<std::string>& b);

/// One chain that differs.
struct ChainDrift {
    enum class Status {
        Differs,          ///< both have it; policy or rules differ
        MissingInKernel,  ///< the config has it, the kernel does not
    };
    std::string family;  ///< ipv4 / ipv6
    std::string table;
    std::string chain;
    Status status = Status::Differs;
    std::string kernel_policy;  ///< built-in chains: ACCEPT/DROP; "-" otherwise; "" when missing
    std::string config_policy;
    std::vector<DiffLine> lines;  ///< the rule lines ("-A CHAIN ..."), only '+'/'-' and context
    std::size_t added = 0;
    std::size_t removed = 0;
};

/// Compares two save texts (normalize_save()d or raw) for the chains in `owned` (table,
/// chain). `kernel` is what runs, `config` what the tree compiles to (in save spelling).
/// Chains in the order of `owned`; equal chains are left out.
std::vector<ChainDrift> compare_saves(const std::string& family, const std::string& kernel,
                                      const std::string& config,
                                      const std::vector<std::pair<std::string, std::string>>& owned);

struct DriftReport {
    diag::Diagnostics diags;  ///< problems of the tree (nothing compared when it has errors)
    std::string error;        ///< why nothing could be compared (tools, namespace, ...); empty when compared
    std::vector<std::string> families;  ///< the families compared
    std::vector<ChainDrift> chains;     ///< chains that differ, ipv4 first
    bool compared() const { return error.empty() && !diags.has_errors(); }
    bool equal() const { return compared() && chains.empty(); }
};

/// Compiles the tree at `config_dir` and compares it with the running kernel ruleset of both
/// families (ipv6 only where the kernel has IPv6). Needs root (iptables-save, and a private
/// network namespace for the spelling). Never changes the running ruleset.
DriftReport drift(const std::filesystem::path& config_dir, const LoadOptions& options);

}  // namespace vuurmuur::apply
