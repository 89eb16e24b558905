#include "tests/support/soap_samples.hpp"

namespace qaqpa::test {

std::string sync_request_xml(const sample_request& r) {
    std::string route = r.route_id.empty() ? "" : "<routeId>" + r.route_id + "</routeId>";
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:typ="http://bip.bee.kz/SyncChannel/v10/Types">
  <soapenv:Header/>
  <soapenv:Body>
    <typ:SendMessage>
      <request>
        <requestInfo>
          <messageId>msg-1</messageId>
          <serviceId>)" + r.service + R"(</serviceId>
          <messageDate>)" + r.message_date + R"(</messageDate>)" + route + R"(
          <sender><senderId>)" + r.sender + "</senderId><password>" + r.password + R"(</password></sender>
          <properties><key>k1</key><value>v1</value></properties>
        </requestInfo>
        <requestData><data>)" + r.payload + R"(</data></requestData>
      </request>
    </typ:SendMessage>
  </soapenv:Body>
</soapenv:Envelope>)";
}

std::string sync_request_of_size(const sample_request& r, std::size_t bytes) {
    sample_request sized = r;
    const auto base = sync_request_xml(r).size();
    std::string filler = "<doc xmlns=\"urn:example\">";
    while (base + filler.size() + 20 < bytes) filler += "0123456789abcdef";
    filler += "</doc>";
    sized.payload = filler;
    return sync_request_xml(sized);
}

} // namespace qaqpa::test
