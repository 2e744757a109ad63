/**
 * MQTT client API (MQTT 5.0 and 3.1.1): one {@link org.rawsockets.mqtt.MqttClient} service per
 * configured broker, the message type, quality of service, subscription options and the typed
 * failures ({@link org.rawsockets.mqtt.MqttException} and its subclasses). Transport failures are
 * the socket API's {@link org.rawsockets.socket.RawSocketException}s. Since 1.2: re-authentication
 * ({@link org.rawsockets.mqtt.MqttClient#reauthenticate()}) and the plug-in point for MQTT 5
 * enhanced authentication methods a bundle brings ({@link org.rawsockets.mqtt.MqttAuthMethod},
 * failures {@link org.rawsockets.mqtt.MqttAuthException}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.rawsockets.mqtt;
