import SMSCore

/// The HTTP gateway is the production ``SMSGateway``.
extension HTTPProviderGateway: SMSGateway {}
