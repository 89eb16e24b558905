#pragma once
// What every `qaqpa admin …` command shares: where the node's admin listener
// is and its token (flags, then the environment, then the config), the
// command line's flags, one HTTP call, and how a refusal is reported. Exit
// codes scripts can rely on: 0 done, 1 the node refused or could not be
// reached, 2 a usage error or a bad config.

#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace qaqpa::cmd {

namespace http = boost::beast::http;

inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

struct admin_target {
    std::string host = "127.0.0.1";
    std::string port;
    std::string token;
};

/// The command line after the sub-command's words: flags with values, and
/// bare switches.
struct flags {
    std::map<std::string, std::string, std::less<>> values;
    bool json = false;
    bool all = false;
    bool dry_run = false;
    bool replace = false;
    std::optional<std::string> get(std::string_view name) const {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional(it->second);
    }
};

std::optional<flags> read_flags(std::span<const std::string_view> args);

/// Where the node's admin listener is and its token; an exit code when not found.
std::variant<admin_target, int> locate(const flags& f);

/// Receives an answer's body as it arrives, with the HTTP status.
using body_sink = std::function<void(std::string_view piece, unsigned status)>;

/// One call; the body is handed to `sink` as it arrives; `request_body` is
/// sent as JSON. Returns the HTTP status, or 0 when the node could not be
/// reached (said on stderr).
unsigned call(const admin_target& to, http::verb method, const std::string& target, const body_sink& sink,
              const std::string& request_body = {});
/// A call whose whole answer is returned in `body`.
unsigned call_text(const admin_target& to, http::verb method, const std::string& target, std::string& body,
                   const std::string& request_body = {});

/// A value percent-encoded for a query string or a path segment.
std::string encode_param(std::string_view v);

/// A refusal: the node's JSON error on stdout (scripts read it, as they
/// read a success), the status on stderr; returns exit_failed.
int failed_answer(unsigned status, const std::string& body);

/// A field of an answer as text ("" when null or missing).
std::string text_of(const boost::json::object& o, std::string_view key);

} // namespace qaqpa::cmd
