#include "transports/rest/detail/json_envelope.hpp"

#include "transports/rest/detail/json_source.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <deque>

namespace qaqpa::rest::detail {
namespace {

using boost::system::error_code;
using sv = boost::json::string_view;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Boost.JSON's events, turned into the envelope's document, the payload's
/// place and repeated keys. The parser reports no offsets; a string or number
/// read straight from the text (no escapes) is a view into it, and that is
/// how the payload is placed: it starts after the key that leads to it, and
/// ends before the closers that follow it up to the next such view (or the
/// end of the text).
class envelope_handler {
public:
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_key_size = -1;
    static constexpr std::size_t max_string_size = -1;

    envelope_handler(std::string_view text, std::span<const std::string_view> path, const envelope_memory& memory)
        : text_(text), path_(path), stack_({}, memory.stack, memory.stack_size) {
        stack_.reset(memory.storage);
    }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) {
        if (after_payload_) close_payload(text_.size());
        return true;
    }

    bool on_object_begin(error_code&) { return open(true); }
    bool on_object_end(std::size_t n, error_code&) { return close(n, true); }
    bool on_array_begin(error_code&) { return open(false); }
    bool on_array_end(std::size_t n, error_code&) { return close(n, false); }

    bool on_key_part(sv s, std::size_t, error_code&) {
        if (in_payload_) return true;
        key_.append(s.data(), s.size());
        stack_.push_chars(s);
        return true;
    }
    bool on_key(sv s, std::size_t, error_code&) {
        if (in_payload_) return true;
        const bool placed = key_.empty() && from_text(s);
        std::string_view key(s.data(), s.size());
        if (!placed) key = decoded_.emplace_back(key_.append(s.data(), s.size()));
        key_.clear();
        if (after_payload_) close_payload(placed ? offset(s) - 1 : npos);
        note_key(key, placed ? offset(s) + s.size() + 1 : npos);
        stack_.push_key(s);
        return true;
    }

    bool on_string_part(sv s, std::size_t, error_code&) {
        if (!in_string_) {
            in_string_ = true;
            if (begin_value(npos)) return true;
        }
        if (!in_payload_) stack_.push_chars(s);
        return true;
    }
    bool on_string(sv s, std::size_t, error_code&) {
        const bool whole = !in_string_;
        in_string_ = false;
        if (whole && begin_value(from_text(s) ? offset(s) - 1 : npos)) return end_scalar();
        if (in_payload_) return end_scalar();
        stack_.push_string(s);
        return true;
    }

    bool on_number_part(sv, error_code&) {
        if (!in_number_) {
            in_number_ = true;
            begin_value(npos);
        }
        return true;
    }
    bool on_int64(std::int64_t v, sv s, error_code&) {
        if (number(s)) return end_scalar();
        stack_.push_int64(v);
        return true;
    }
    bool on_uint64(std::uint64_t v, sv s, error_code&) {
        if (number(s)) return end_scalar();
        stack_.push_uint64(v);
        return true;
    }
    bool on_double(double v, sv s, error_code&) {
        if (number(s)) return end_scalar();
        stack_.push_double(v);
        return true;
    }
    bool on_bool(bool v, error_code&) {
        if (begin_value(npos) || in_payload_) return end_scalar();
        stack_.push_bool(v);
        return true;
    }
    bool on_null(error_code&) {
        if (begin_value(npos) || in_payload_) return end_scalar();
        stack_.push_null();
        return true;
    }

    bool on_comment_part(sv, error_code&) { return true; }
    bool on_comment(sv, error_code&) { return true; }

    /// Once the text is judged whole: the document and what was found.
    envelope finish() {
        envelope out;
        out.root = stack_.release();
        out.repeated_key = std::move(repeated_);
        if (payload_seen_ && (payload_start_ == npos || payload_end_ == npos))
            out.payload = scan_source(text_, path_).value_at_path; // placed by the slower scan
        else if (payload_seen_)
            out.payload = text_.substr(payload_start_, payload_end_ - payload_start_);
        return out;
    }

private:
    static constexpr std::size_t npos = std::string_view::npos;

    /// One open object or array outside the payload.
    struct frame {
        bool object;
        int matched;            ///< keys of the path that lead here; -1: off the path
        std::size_t keys_begin; ///< this object's keys in keys_
        std::string_view key;   ///< the member being read (objects)
        std::size_t index;      ///< the element being read (arrays)
    };

    bool from_text(sv s) const {
        return s.data() >= text_.data() && s.data() + s.size() <= text_.data() + text_.size();
    }
    std::size_t offset(sv s) const { return static_cast<std::size_t>(s.data() - text_.data()); }

    /// A value starts. `at`: its first byte when known. True when it is the
    /// payload (which stands in the document as a null from here on).
    bool begin_value(std::size_t at) {
        if (in_payload_) return false;
        if (after_payload_) close_payload(at);
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
        value_matched_ = next_matched_;
        next_matched_ = -1;
        if (!payload_next_) return false;
        payload_next_ = false;
        in_payload_ = true;
        payload_seen_ = true;
        depth_in_payload_ = 0;
        stack_.push_null();
        return true;
    }

    bool number(sv s) {
        const bool whole = !in_number_;
        in_number_ = false;
        if (whole && begin_value(from_text(s) ? offset(s) : npos)) return true;
        return in_payload_;
    }

    /// A scalar ended inside the payload: the payload ends with it when it is the whole payload.
    bool end_scalar() {
        if (depth_in_payload_ == 0) end_payload();
        return true;
    }

    bool open(bool object) {
        if (begin_value(npos) || in_payload_) {
            ++depth_in_payload_;
            return true;
        }
        frames_.push_back({object, value_matched_, keys_.size(), {}, static_cast<std::size_t>(-1)});
        return true;
    }

    bool close(std::size_t n, bool object) {
        if (in_payload_) {
            if (--depth_in_payload_ == 0) end_payload();
            return true;
        }
        if (after_payload_) ++closers_;
        keys_.resize(frames_.back().keys_begin);
        frames_.pop_back();
        if (object) stack_.push_object(n);
        else stack_.push_array(n);
        return true;
    }

    /// A key of the open object: checked for repeats, and followed along the
    /// path. `after`: the byte after its closing quote when known.
    void note_key(std::string_view key, std::size_t after) {
        auto& f = frames_.back();
        f.key = key;
        const auto begin = keys_.begin() + static_cast<std::ptrdiff_t>(f.keys_begin);
        if (repeated_.empty() && std::find(begin, keys_.end(), key) != keys_.end()) repeated_ = spelled();
        keys_.push_back(key);
        const bool on_path = f.matched >= 0 && f.matched < static_cast<int>(path_.size()) && path_[f.matched] == key;
        next_matched_ = on_path ? f.matched + 1 : -1;
        if (next_matched_ != static_cast<int>(path_.size())) return;
        payload_next_ = true;
        payload_start_ = payload_end_ = npos;
        if (after == npos) return;
        // the parser reports a key before it reads on: the text may end here
        auto i = text_.find_first_not_of(" \t\r\n", after);
        if (i == npos || text_[i] != ':') return;
        i = text_.find_first_not_of(" \t\r\n", i + 1);
        payload_start_ = i;
    }

    std::string spelled() const {
        std::string out;
        for (const auto& f : frames_) {
            if (&f != &frames_.front()) out.push_back('/');
            out.append(f.object ? std::string(f.key) : std::to_string(f.index));
        }
        return out;
    }

    void end_payload() {
        in_payload_ = false;
        after_payload_ = true;
        closers_ = 0;
    }

    /// The first placed token after the payload is at `at` (npos: not
    /// placed): back over blanks, one comma, and the closers seen since.
    void close_payload(std::size_t at) {
        after_payload_ = false;
        if (at == npos || payload_start_ == npos) return;
        auto i = at;
        auto back_over_space = [&] {
            while (i > payload_start_ && is_space(text_[i - 1])) --i;
        };
        back_over_space();
        if (text_[i - 1] == ',') --i;
        back_over_space();
        for (std::size_t c = 0; c < closers_; ++c) {
            if (i <= payload_start_ + 1 || (text_[i - 1] != '}' && text_[i - 1] != ']')) return; // never: the scan decides
            --i;
            back_over_space();
        }
        payload_end_ = i;
    }

    std::string_view text_;
    std::span<const std::string_view> path_;
    boost::json::value_stack stack_;

    boost::container::small_vector<frame, 16> frames_;
    boost::container::small_vector<std::string_view, 32> keys_; ///< the open objects' keys so far
    std::string key_;                                           ///< a key arriving in parts
    std::deque<std::string> decoded_;                           ///< keys not read straight from the text
    int next_matched_ = 0;                                      ///< set by a key for its value; the root is on the path
    int value_matched_ = -1;                                    ///< next_matched_ of the value begun last
    bool in_string_ = false, in_number_ = false;

    bool payload_next_ = false, in_payload_ = false, payload_seen_ = false, after_payload_ = false;
    int depth_in_payload_ = 0;
    std::size_t closers_ = 0;
    std::size_t payload_start_ = npos, payload_end_ = npos;
    std::string repeated_;
};

} // namespace

result<envelope> read_envelope(std::string_view text, std::span<const std::string_view> path, const envelope_memory& memory,
                               std::size_t max_depth) {
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::json::basic_parser<envelope_handler> parser(options, text, path, memory);
    error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used < text.size()) ec = boost::json::error::extra_data;
    if (ec) return fail(errc::invalid_request, "the body is not JSON: " + ec.message() + " at byte " + std::to_string(used));
    return parser.handler().finish();
}

} // namespace qaqpa::rest::detail
