#include "transports/soap/xml.hpp"

#include <fmt/format.h>

#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <algorithm>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace qaqpa::soap {
namespace {

constexpr int parse_flags = rapidxml::parse_non_destructive | rapidxml::parse_validate_closing_tags;

enum class tag_kind { open, close, self_closing, other, doctype, bad };

struct tag {
    tag_kind kind;
    std::size_t end; ///< one past the closing '>'
};

std::size_t find_from(std::string_view s, std::string_view what, std::size_t from) {
    const auto p = s.find(what, from);
    return p == std::string_view::npos ? p : p + what.size();
}

/// Scans one markup construct starting at s[pos] == '<'.
tag scan_tag(std::string_view s, std::size_t pos) {
    const auto rest = s.substr(pos);
    auto done = [](tag_kind k, std::size_t end) {
        return tag{end == std::string_view::npos ? tag_kind::bad : k, end};
    };
    if (rest.starts_with("<!--")) return done(tag_kind::other, find_from(s, "-->", pos + 4));
    if (rest.starts_with("<![CDATA[")) return done(tag_kind::other, find_from(s, "]]>", pos + 9));
    if (rest.starts_with("<?")) return done(tag_kind::other, find_from(s, "?>", pos + 2));
    if (rest.starts_with("<!")) return tag{tag_kind::doctype, pos + 2};
    if (rest.starts_with("</")) return done(tag_kind::close, find_from(s, ">", pos + 2));
    // A start tag: usually no '>' inside an attribute value, so find the
    // first '>' and walk quotes only when one stands before it.
    const char* begin = s.data() + pos + 1;
    const char* end = s.data() + s.size();
    const auto* gt = static_cast<const char*>(std::memchr(begin, '>', static_cast<std::size_t>(end - begin)));
    if (!gt) return {tag_kind::bad, s.size()};
    bool quoted = false;
    for (const char* c = begin; c < gt; ++c)
        if (*c == '"' || *c == '\'') {
            quoted = true;
            break;
        }
    if (quoted) {
        for (const char* c = begin; c < end; ++c) {
            if (*c == '"' || *c == '\'') {
                const auto* q = static_cast<const char*>(std::memchr(c + 1, *c, static_cast<std::size_t>(end - c - 1)));
                if (!q) return {tag_kind::bad, s.size()};
                c = q;
            } else if (*c == '>') {
                gt = c;
                break;
            }
        }
    }
    const auto at = static_cast<std::size_t>(gt - s.data());
    return {s[at - 1] == '/' ? tag_kind::self_closing : tag_kind::open, at + 1};
}

std::string_view local_of(std::string_view qname) {
    const auto colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

/// The element name of a start or end tag beginning at s[pos].
std::string_view tag_name(std::string_view s, std::size_t pos, tag_kind kind) {
    const auto from = pos + (kind == tag_kind::close ? 2 : 1);
    auto end = from;
    while (end < s.size()) {
        const char c = s[end];
        if (c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
        ++end;
    }
    return s.substr(from, end - from);
}

bool is_payload_parent(std::string_view qname) {
    const auto local = local_of(qname);
    return local == "requestData" || local == "responseData" || local == "messageData";
}

struct prescan_result {
    std::size_t content_begin = std::string_view::npos; ///< of the payload's data element
    std::size_t content_end = std::string_view::npos;
};

/// One pass over the tags: refuses DOCTYPE, nesting deeper than max_depth
/// (RapidXML recurses per level) and mismatched end tags, and finds the
/// content of the first data element under a payload parent.
result<prescan_result> prescan(std::string_view s, std::vector<std::string_view>& open) {
    prescan_result out;
    open.clear();
    std::size_t data_depth = 0;
    for (std::size_t pos = s.find('<'); pos != std::string_view::npos; pos = s.find('<', pos)) {
        const auto t = scan_tag(s, pos);
        switch (t.kind) {
        case tag_kind::doctype: return fail(errc::bad_envelope, "DOCTYPE is not allowed");
        case tag_kind::bad: return fail(errc::bad_envelope, "malformed markup");
        case tag_kind::open: {
            const auto name = tag_name(s, pos, t.kind);
            if (open.size() >= max_depth) return fail(errc::bad_envelope, "elements nest too deeply");
            if (out.content_begin == std::string_view::npos && local_of(name) == "data" && !open.empty() &&
                is_payload_parent(open.back())) {
                out.content_begin = t.end;
                data_depth = open.size() + 1;
            }
            open.push_back(name);
            break;
        }
        case tag_kind::close: {
            const auto name = tag_name(s, pos, t.kind);
            if (open.empty() || open.back() != name)
                return fail(errc::bad_envelope, "end tag </" + std::string(name) + "> does not match");
            if (open.size() == data_depth && out.content_end == std::string_view::npos) out.content_end = pos;
            open.pop_back();
            break;
        }
        default: break;
        }
        pos = t.end;
    }
    if (!open.empty()) return fail(errc::bad_envelope, "element <" + std::string(open.back()) + "> is not closed");
    return out;
}

/// Where the element whose content starts at `from` is closed: the position
/// of the '<' of its end tag.
std::optional<std::size_t> content_end(std::string_view s, std::size_t from) {
    std::size_t depth = 0;
    for (std::size_t pos = s.find('<', from); pos != std::string_view::npos; pos = s.find('<', pos)) {
        const auto t = scan_tag(s, pos);
        if (t.kind == tag_kind::bad || t.kind == tag_kind::doctype) return std::nullopt;
        if (t.kind == tag_kind::open) ++depth;
        if (t.kind == tag_kind::close) {
            if (depth == 0) return pos;
            --depth;
        }
        pos = t.end;
    }
    return std::nullopt;
}

std::string_view attr_name(const rapidxml::xml_attribute<char>* a) { return {a->name(), a->name_size()}; }
std::string_view attr_value(const rapidxml::xml_attribute<char>* a) { return {a->value(), a->value_size()}; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::strchr(" \t\r\n", s.front())) s.remove_prefix(1);
    while (!s.empty() && std::strchr(" \t\r\n", s.back())) s.remove_suffix(1);
    return s;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

namespace {

/// XML 1.0 allows no C0 control character but TAB, LF and CR, anywhere: a
/// document with one is refused, never silently changed.
std::optional<unsigned> forbidden_control(std::string_view text) noexcept {
    std::size_t i = 0;
#ifdef __SSE2__
    // Sixteen bytes at a time (every request passes here, twice per relayed
    // call): a byte is suspect when its top three bits are clear (< 0x20)
    // and it is none of TAB, LF, CR.
    const __m128i high = _mm_set1_epi8(static_cast<char>(0xE0)), zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i control = _mm_cmpeq_epi8(_mm_and_si128(v, high), zero);
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
        if (const int mask = _mm_movemask_epi8(_mm_andnot_si128(allowed, control)); mask != 0)
            return static_cast<unsigned char>(text[i + static_cast<std::size_t>(__builtin_ctz(mask))]);
    }
#endif
    for (; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return c;
    }
    return std::nullopt;
}

} // namespace

xml_document::xml_document() : doc_(std::make_unique<rapidxml::xml_document<char>>()) {}
xml_document::~xml_document() = default;

xml_document& xml_document::scratch() {
    thread_local xml_document doc;
    return doc;
}

result<const xml_node*> xml_document::parse(const std::string& text) {
    doc_->clear();
    cut_ = {};
    if (auto c = forbidden_control(text))
        return fail(errc::bad_envelope, fmt::format("control character U+{:04X} in the document (XML 1.0 allows none "
                                                    "but TAB, LF and CR)", *c));
    auto scan = prescan(text, open_);
    if (!scan) return scan.error();
    if (scan->content_end == std::string_view::npos) {
        text_ = text; // RapidXML parses in place
    } else {
        // RapidXML sees the envelope only; the payload stays in `text`.
        skeleton_.assign(text, 0, scan->content_begin);
        skeleton_.append(text, scan->content_end, std::string::npos);
        text_ = skeleton_;
        cut_ = {scan->content_begin, std::string_view(text).substr(scan->content_begin, scan->content_end - scan->content_begin)};
    }
    try {
        doc_->parse<parse_flags>(const_cast<char*>(text_.data()));
    } catch (const rapidxml::parse_error& e) {
        return fail(errc::bad_envelope, std::string("malformed XML: ") + e.what());
    }
    const xml_node* root = first_element(doc_.get());
    if (!root) return fail(errc::bad_envelope, "no root element");
    return root;
}

std::string_view name_of(const xml_node* n) noexcept { return {n->name(), n->name_size()}; }

std::string_view local_name(const xml_node* n) noexcept {
    const auto name = name_of(n);
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_of(const xml_node* n) noexcept {
    const auto name = name_of(n);
    const auto colon = name.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
    for (const xml_node* e = n; e && e->type() == rapidxml::node_element; e = e->parent()) {
        for (auto* a = e->first_attribute(); a; a = a->next_attribute()) {
            const auto an = attr_name(a);
            if (prefix.empty() ? an == "xmlns" : (an.starts_with("xmlns:") && an.substr(6) == prefix))
                return attr_value(a);
        }
    }
    return {};
}

bool is(const xml_node* n, std::string_view ns, std::string_view local) noexcept {
    return n && local_name(n) == local && namespace_of(n) == ns;
}

const xml_node* first_element(const xml_node* parent) noexcept {
    for (auto* c = parent->first_node(); c; c = c->next_sibling())
        if (c->type() == rapidxml::node_element) return c;
    return nullptr;
}

const xml_node* next_element(const xml_node* n) noexcept {
    for (auto* c = n->next_sibling(); c; c = c->next_sibling())
        if (c->type() == rapidxml::node_element) return c;
    return nullptr;
}

const xml_node* child(const xml_node* parent, std::string_view local) noexcept {
    if (!parent) return nullptr;
    for (auto* c = first_element(parent); c; c = next_element(c))
        if (local_name(c) == local) return c;
    return nullptr;
}

std::optional<std::string> text_of(const xml_node* n) {
    std::string out;
    for (auto* c = n->first_node(); c; c = c->next_sibling()) {
        const std::string_view v{c->value(), c->value_size()};
        if (c->type() == rapidxml::node_data) {
            if (!decode_entities(v, out)) return std::nullopt;
        } else if (c->type() == rapidxml::node_cdata) {
            out.append(v);
        } else if (c->type() == rapidxml::node_element) {
            return std::nullopt;
        }
    }
    return out;
}

bool is_nil(const xml_node* n) noexcept {
    for (auto* a = n->first_attribute(); a; a = a->next_attribute()) {
        const auto name = attr_name(a);
        const auto colon = name.find(':');
        if (colon != std::string_view::npos && name.substr(colon + 1) == "nil" && trim(attr_value(a)) == "true")
            return true;
    }
    return false;
}

result<xml_payload> extract_payload(const xml_document& doc, const xml_node* data) {
    const std::string_view s = doc.text();
    const auto name_at = static_cast<std::size_t>(data->name() - s.data());
    const auto start = scan_tag(s, name_at - 1);
    if (start.kind != tag_kind::open && start.kind != tag_kind::self_closing)
        return fail(errc::bad_envelope, "malformed data element");
    xml_payload p;
    p.present = true;
    const std::size_t attrs_end = start.end - (start.kind == tag_kind::self_closing ? 2 : 1);
    const auto own = trim(s.substr(name_at + data->name_size(), attrs_end - name_at - data->name_size()));
    p.attributes.reserve(own.size() + 256);
    p.attributes.assign(own);

    // Carry the prefixed namespace declarations in scope at <data>, nearest
    // first, so the payload's prefixes still resolve in the new envelope.
    // A handful at most: a flat list, no allocation per prefix.
    boost::container::small_vector<std::string_view, 8> declared;
    const auto first_time = [&declared](std::string_view prefix) {
        if (std::find(declared.begin(), declared.end(), prefix) != declared.end()) return false;
        declared.push_back(prefix);
        return true;
    };
    for (auto* a = data->first_attribute(); a; a = a->next_attribute())
        if (attr_name(a).starts_with("xmlns:")) first_time(attr_name(a).substr(6));
    for (const xml_node* e = data->parent(); e && e->type() == rapidxml::node_element; e = e->parent()) {
        for (auto* a = e->first_attribute(); a; a = a->next_attribute()) {
            const auto an = attr_name(a);
            if (!an.starts_with("xmlns:") || !first_time(an.substr(6))) continue;
            const auto v = attr_value(a);
            const char q = v.find('"') == std::string_view::npos ? '"' : '\'';
            if (!p.attributes.empty()) p.attributes.push_back(' ');
            p.attributes.append(an).append(1, '=').append(1, q).append(v).append(1, q);
        }
    }
    if (start.kind == tag_kind::self_closing) return p;
    if (start.end == doc.cut().at) {
        p.content.assign(doc.cut().content);
        return p;
    }
    const auto end = content_end(s, start.end);
    if (!end) return fail(errc::bad_envelope, "unterminated data element");
    p.content.assign(s.substr(start.end, *end - start.end));
    return p;
}

namespace {

/// Where in `text`, from `i`, the first byte that append_escaped must
/// replace is (&, <, >, ", or a C0 control other than TAB, LF, CR), or
/// text.size(). Sixteen bytes at a time: almost nothing needs escaping.
std::size_t next_to_escape(std::string_view text, std::size_t i) noexcept {
    auto special = [](unsigned char c) {
        return c == '&' || c == '<' || c == '>' || c == '"' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
    };
#ifdef __SSE2__
    const __m128i high = _mm_set1_epi8(static_cast<char>(0xE0)), zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"');
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
        const __m128i control = _mm_andnot_si128(allowed, _mm_cmpeq_epi8(_mm_and_si128(v, high), zero));
        const __m128i markup = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                                            _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, quot)));
        if (const int mask = _mm_movemask_epi8(_mm_or_si128(control, markup)); mask != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i < text.size(); ++i)
        if (special(static_cast<unsigned char>(text[i]))) return i;
    return text.size();
}

} // namespace

void append_escaped(std::string& out, std::string_view text) {
    std::size_t from = 0;
    for (std::size_t i = next_to_escape(text, 0); i < text.size(); i = next_to_escape(text, from)) {
        const char* rep = "?"; // C0 controls are not allowed in XML 1.0 at all (e.g. from a header value quoted in a fault)
        switch (text[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        out.append(text.substr(from, i - from)).append(rep);
        from = i + 1;
    }
    out.append(text.substr(from));
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
    out.append(1, '<').append(name).append(1, '>');
    append_escaped(out, text);
    out.append("</").append(name).append(1, '>');
}

bool decode_entities(std::string_view in, std::string& out) {
    for (std::size_t i = 0; i < in.size();) {
        const auto amp = in.find('&', i);
        out.append(in.substr(i, amp - i));
        if (amp == std::string_view::npos) return true;
        const auto semi = in.find(';', amp);
        if (semi == std::string_view::npos) return false;
        const auto ent = in.substr(amp + 1, semi - amp - 1);
        if (ent == "lt") out.push_back('<');
        else if (ent == "gt") out.push_back('>');
        else if (ent == "amp") out.push_back('&');
        else if (ent == "quot") out.push_back('"');
        else if (ent == "apos") out.push_back('\'');
        else if (ent.size() > 1 && ent[0] == '#') {
            const bool hex = ent[1] == 'x';
            const auto digits = ent.substr(hex ? 2 : 1);
            if (digits.empty() || digits.size() > 8) return false;
            unsigned long cp = 0;
            for (char c : digits) {
                int d = (c >= '0' && c <= '9') ? c - '0'
                        : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                                       : -1;
                if (d < 0) return false;
                cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
            }
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            append_utf8(out, cp);
        } else {
            return false;
        }
        i = semi + 1;
    }
    return true;
}

} // namespace qaqpa::soap
