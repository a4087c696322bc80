"""Names of the JCO-support SOAP interface, shared by the client and the mock (names only, no parsing)."""

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
JCO_NS = "urn:nl:om:jco-support:jeugdige:v1"
SOAP_ACTION = f"{JCO_NS}#zoekJeugdige"
SERVICE_PAD = "/services/JeugdigeService/v1"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
