package dev.fanout.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The two loopback ports of one node: the broker's client listener and the controller's. Both must be
 * known before any node starts, because every node lists every controller in its quorum settings.
 */
record NodePorts(int nodeId, int brokerPort, int controllerPort) {

  /**
   * Picks {@code 2 * nodes} distinct free ports on 127.0.0.1 by binding them all at once, then releasing
   * them. Another process could take one before the node binds it; on a test machine that is rare.
   */
  static List<NodePorts> pickFree(int nodes) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      for (int i = 0; i < 2 * nodes; i++) {
        ServerSocket socket = new ServerSocket(0, 50, loopback);
        socket.setReuseAddress(true);
        sockets.add(socket);
      }
      List<NodePorts> ports = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        ports.add(new NodePorts(i, sockets.get(2 * i).getLocalPort(), sockets.get(2 * i + 1).getLocalPort()));
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("could not find free loopback ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is free again either way
        }
      }
    }
  }
}
