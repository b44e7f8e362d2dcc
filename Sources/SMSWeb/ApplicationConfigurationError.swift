/// A configuration the store cannot serve, thrown by ``buildApplication(config:store:gateway:runDispatcher:logger:metrics:)``
/// (e.g. a click journal directory for a store whose ``StoreCapabilities`` have no journal).
public struct ApplicationConfigurationError: Error, CustomStringConvertible {
    public var description: String
}
