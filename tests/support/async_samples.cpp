#include "tests/support/async_samples.hpp"

namespace qaqpa::test {
namespace {

constexpr const char* head =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:asy=\"http://bip.bee.kz/AsyncChannel/v10/Types\"><soapenv:Header/><soapenv:Body>";
constexpr const char* tail = "</soapenv:Body></soapenv:Envelope>";

std::string sender(const login& who) {
    return "<sender><senderId>" + who.sender + "</senderId><password>" + who.password + "</password></sender>";
}

std::string optional(const char* name, const std::string& v) {
    return v.empty() ? std::string() : "<" + std::string(name) + ">" + v + "</" + name + ">";
}

} // namespace

std::string send_message_xml(const async_send& m) {
    const std::string date = m.message_date.empty() ? "2026-11-23T10:00:00.123+05:00" : m.message_date;
    return std::string(head) + "<asy:sendMessage><request><messageInfo>" + optional("messageId", m.message_id) +
           optional("correlationId", m.correlation_id) + "<serviceId>" + m.service + "</serviceId><messageType>" +
           m.type + "</messageType>" + optional("routeId", m.route_id) + "<messageDate>" + date + "</messageDate>" +
           sender(m.who) + "</messageInfo><messageData><data>" + m.payload +
           "</data></messageData></request></asy:sendMessage>" + tail;
}

std::string send_message_of_size(const async_send& m, std::size_t bytes) {
    auto padded = m;
    const auto base = send_message_xml(m).size();
    if (bytes > base + 16) padded.payload += "<pad>" + std::string(bytes - base - 11, 'x') + "</pad>";
    return send_message_xml(padded);
}

std::string get_messages_xml(const login& who, const std::string& service, int amount, const std::string& message_id,
                             const std::string& correlation_id) {
    return std::string(head) + "<asy:getMessages><request>" + optional("messageId", message_id) +
           optional("correlationId", correlation_id) + "<requestDate>2026-11-23T10:00:00</requestDate><serviceId>" +
           service + "</serviceId>" + sender(who) +
           (amount >= 0 ? "<amount>" + std::to_string(amount) + "</amount>" : std::string()) +
           "</request></asy:getMessages>" + tail;
}

std::string delivery_notification_xml(const login& who, const std::string& service, const std::string& message_id,
                                      bool accepted, bool resend) {
    return std::string(head) + "<asy:sendDeliveryNotification><request><notification><messageId>" + message_id +
           "</messageId><serviceId>" + service +
           "</serviceId><notificationDate>2026-11-23T10:00:00Z</notificationDate><deliveryStatus><receiveStatus>" +
           (accepted ? "MESSAGE_ACCEPTED" : "MESSAGE_NOT_ACCTEPTED") +
           "</receiveStatus><statusDate>2026-11-23T10:00:00Z</statusDate><resendMessage>" +
           (resend ? "RESEND" : "NOT_RESEND") +
           "</resendMessage></deliveryStatus></notification><requestDate>2026-11-23T10:00:00Z</requestDate>" +
           sender(who) + "</request></asy:sendDeliveryNotification>" + tail;
}

std::string message_status_xml(const login& who, const std::string& message_id) {
    return std::string(head) + "<asy:getMessageStatus><request><messageId>" + message_id +
           "</messageId><requestDate>2026-11-23T10:00:00Z</requestDate>" + sender(who) +
           "</request></asy:getMessageStatus>" + tail;
}

std::string status_report_xml(const std::string& message_id, const std::string& state, const std::string& date) {
    return std::string(head) +
           "<c:changeMassageStatusNotification xmlns:c=\"http://bip.bee.kz/AsyncChannel/v10/Types/Client\"><request>"
           "<notification><notificationId>" + message_id + "-report</notificationId><messageId>" + message_id +
           "</messageId><notificationDate>" + date + "</notificationDate><messageState>" + state +
           "</messageState><status><statusCode>" + state + "</statusCode><statusMessage>reported</statusMessage>"
           "<statusDate>" + date + "</statusDate></status></notification><requestDate>" + date +
           "</requestDate></request></c:changeMassageStatusNotification>" + tail;
}

std::vector<std::string> message_ids(std::string_view body) {
    std::vector<std::string> out;
    constexpr std::string_view open = "<messageId>", close = "</messageId>";
    for (std::size_t at = 0; (at = body.find(open, at)) != std::string_view::npos;) {
        const auto end = body.find(close, at);
        if (end == std::string_view::npos) break;
        out.emplace_back(body.substr(at + open.size(), end - at - open.size()));
        at = end;
    }
    return out;
}

} // namespace qaqpa::test
