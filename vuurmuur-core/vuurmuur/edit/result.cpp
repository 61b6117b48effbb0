// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/result.h"

namespace vuurmuur::edit {

int exit_code(Status status) { return static_cast<int>(status); }

std::string_view status_name(Status status) {
    switch (status) {
        case Status::Ok: return "ok";
        case Status::CommandLine: return "commandline";
        case Status::CommandFailed: return "command-failed";
        case Status::NotFound: return "not-found";
        case Status::AlreadyExists: return "already-exists";
        case Status::DataInconsistency: return "data-inconsistency";
        case Status::Internal: return "internal";
    }
    return "internal";
}

std::string Referrer::str() const {
    return file + ":" + std::to_string(line) + ": " + what;
}

Result fail(Status status, std::string message) {
    Result r;
    r.status = status;
    r.message = std::move(message);
    return r;
}

}  // namespace vuurmuur::edit
