/**
 * MQTT client API (MQTT 5.0 and 3.1.1): one {@link org.rawsockets.mqtt.MqttClient} service per
 * configured broker, the message type, quality of service, subscription options and the typed
 * failures ({@link org.rawsockets.mqtt.MqttException} and its subclasses). Transport failures are
 * the socket API's {@link org.rawsockets.socket.RawSocketException}s.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.rawsockets.mqtt;
