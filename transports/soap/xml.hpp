#pragma once
// XML for the SOAP edge: one pass over the document builds a small element
// table (names, raw attribute text, content spans: views into the caller's
// bytes, so the payload is carried verbatim and nothing is copied), then
// namespace resolution for any prefixes, entity decoding for the small
// header fields, and escaping for what we write.
//
// Hostile input: any DOCTYPE is refused (no entity is ever expanded), C0
// control characters are refused, nesting deeper than max_depth is refused,
// end tags must match, attributes must be well formed, and nothing but
// comments and processing instructions may stand outside the root element.
//
// The payload is opaque: the content of the message's `data` element
// (under requestData, responseData or messageData) is checked for
// well-formed tags in the same pass but makes no table entries, so a large
// or element-heavy payload costs one scan and no memory.

#include "core/envelope.hpp"
#include "core/errors.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::soap {

/// One element of a parsed document (read through the functions below).
struct xml_node {
    xml_node(std::string_view name, std::string_view local, std::string_view attributes, std::string_view content,
             bool self_closing) noexcept
        : name(name), local(local), attributes(attributes), content(content), self_closing(self_closing) {}

    std::string_view name;       ///< as written, prefix included
    std::string_view local;      ///< the name without its prefix
    std::string_view attributes; ///< the start tag's text after the name, well formed
    std::string_view content;    ///< between the start and end tag; empty when self-closing
    bool self_closing = false;
    const xml_node* parent = nullptr;
    const xml_node* first_child = nullptr; ///< elements only
    const xml_node* next_sibling = nullptr;
};

inline constexpr std::size_t max_depth = 256;

/// A parsed document. Views point into the text given to parse(), which must
/// outlive the document and must not change.
class xml_document {
public:
    xml_document() = default;
    xml_document(const xml_document&) = delete;
    xml_document& operator=(const xml_document&) = delete;

    /// Parses `text` and returns the root element, or bad_envelope with the
    /// reason.
    result<const xml_node*> parse(std::string_view text);

    /// The text parsed.
    std::string_view text() const noexcept { return text_; }
    /// Elements in the table (the payload's own are not).
    std::size_t element_count() const noexcept { return nodes_.size(); }

    /// This thread's reusable document: its table keeps its capacity from
    /// message to message. Valid until the next parse on this thread, so
    /// nothing parsed may be kept across a suspension point.
    static xml_document& scratch();

    /// The content of the message's `data` element, when the document has one.
    const std::optional<std::string_view>& payload() const noexcept { return payload_; }

private:
    result<void> scan();

    std::vector<xml_node> nodes_;
    std::vector<std::size_t> open_;         ///< the open elements (table positions)
    std::vector<std::string_view> inside_;  ///< open elements inside the payload (names only)
    std::vector<std::size_t> parents_;      ///< per table entry: its parent's position
    std::vector<std::size_t> last_child_;   ///< per table entry, while linking
    std::string_view text_;
    std::optional<std::string_view> payload_;
};

inline std::string_view name_of(const xml_node* n) noexcept { return n->name; }
inline std::string_view local_name(const xml_node* n) noexcept { return n->local; }
/// The namespace URI of an element, resolved through its ancestors' xmlns
/// declarations; empty when unqualified.
std::string_view namespace_of(const xml_node* n) noexcept;

bool is(const xml_node* n, std::string_view ns, std::string_view local) noexcept;

const xml_node* first_element(const xml_node* parent) noexcept;
const xml_node* next_element(const xml_node* n) noexcept;
/// The first child element with this local name (children are unqualified on
/// the wire; we match by local name and accept qualified ones too).
const xml_node* child(const xml_node* parent, std::string_view local) noexcept;

/// The element's text (character data and CDATA), entities decoded; nullopt
/// for an undefined entity or an element with child elements.
std::optional<std::string> text_of(const xml_node* n);

/// The character data of content the scanner has read (entities decoded,
/// CDATA kept, comments and processing instructions left out); nullopt when
/// it holds an element or an undefined entity.
std::optional<std::string> text_content(std::string_view content);

/// Whether `content` could stand between a start and an end tag (well
/// formed, by the same rules as a document); `has_element` learns whether it
/// holds an element.
bool is_xml_content(std::string_view content, bool* has_element = nullptr);

/// True when the element carries xsi:nil="true".
bool is_nil(const xml_node* n) noexcept;

/// The payload of a `data` element: its content bytes as written, its
/// attributes, and the namespace declarations it inherits.
result<message_payload> extract_payload(const xml_node* data);

/// Appends text with &, <, > and " escaped.
void append_escaped(std::string& out, std::string_view text);

/// Appends <name>escaped text</name>.
void append_element(std::string& out, std::string_view name, std::string_view text);

/// Decodes the five predefined entities and character references.
bool decode_entities(std::string_view in, std::string& out);

} // namespace qaqpa::soap
