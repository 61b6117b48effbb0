// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vuurmuur/apply/exec.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/ir/ruleset.h"

/// The `libiptc` backend: loads iptables-restore text in process, with libxtables (the
/// extension parsers iptables itself uses) building the rule blobs and libiptc committing
/// each table atomically. Legacy x_tables only: libiptc cannot see or change nf_tables.
/// It reads the same text `restore` gets (render/iptables_restore.h, save output for a
/// rollback) with the same meaning per LoadMode, so both backends leave the same kernel
/// tables. See docs/apply.md, "Backends".
namespace vuurmuur::apply {

enum class Backend { Restore, Libiptc };
const char* backend_name(Backend b);
/// "restore" / "libiptc"; nullopt for anything else.
std::optional<Backend> parse_backend(std::string_view name);

/// Whether this build has the libiptc backend (libip4tc, libip6tc and libxtables were found
/// when it was configured).
bool libiptc_available();

/// Empty when `backend` can load on a host whose restore programs are of these variants;
/// else the reason, one line (libiptc: built without it, or the host's iptables is not the
/// legacy one).
std::string backend_unusable(Backend backend, Variant ipv4, Variant ipv6);

/// Loads `text` (iptables-restore syntax) with libiptc as the restore program would with
/// `mode`: Test builds every table but commits none; NoFlush keeps chains the text does not
/// name (declared user chains that exist are flushed, missing ones created); Replace empties
/// each named table first and takes "[p:b]" counters. Tables are committed one by one, in
/// order, as iptables-restore does. exit_code 0 on success, 1 when refused; `err` then says
/// why as "libiptc: line N: ..." (a line it could not build) or "libiptc: line N failed: ..."
/// (the kernel refused the table at that COMMIT), which failing_line() reads.
ExecResult libiptc_restore(ir::Family family, const std::string& text, LoadMode mode);

/// run_restore() or libiptc_restore(), as `backend` says.
ExecResult backend_restore(Backend backend, const Tools& tools, ir::Family family, const std::string& text,
                           LoadMode mode);

}  // namespace vuurmuur::apply
