package newsindex.solrcloud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A local SolrCloud cluster for tests and demos: an embedded ZooKeeper and N Solr nodes on
 * 127.0.0.1, all in this one JVM, run from Solr's own test harness (MiniSolrCloudCluster).
 *
 * <p>Usage: {@code Launcher DIR NODES}. The cluster lives in DIR/cluster. Once every node answers,
 * the launcher writes DIR/nodes (one base URL per node, node 1 first), DIR/zkhost and DIR/control
 * (the port of a control socket on 127.0.0.1), then DIR/ready. The control socket takes one line
 * per connection and answers one line: {@code stop-node K}, {@code start-node K} (K from 1; a
 * restarted node keeps its port and its data), {@code status}, {@code stop} (shuts the cluster down
 * and exits). Why a socket: the nodes are threads of this JVM, so only this process can stop one.
 */
public final class Launcher {
  private final Path dir;
  private final MiniSolrCloudCluster cluster;
  private final List<JettySolrRunner> nodes = new ArrayList<>();
  private final List<Boolean> running = new ArrayList<>();

  private Launcher(Path dir, MiniSolrCloudCluster cluster) {
    this.dir = dir;
    this.cluster = cluster;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: Launcher DIR NODES");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    int count = Integer.parseInt(args[1]);
    Files.createDirectories(dir);
    // Zero nodes at first: each is started (and can be stopped and restarted) on its own.
    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster.Builder(0, dir.resolve("cluster"))
            .withJettyConfig(jetty -> jetty.setContext("/solr"))
            .withTraceIdGenerationDisabled()
            .build();
    Launcher launcher = new Launcher(dir, cluster);
    try {
      for (int i = 0; i < count; i++) {
        launcher.nodes.add(cluster.startJettySolrRunner());
        launcher.running.add(Boolean.TRUE);
      }
      cluster.waitForAllNodes(120);
      launcher.serve();
    } catch (Throwable failure) {
      failure.printStackTrace();
      launcher.shutdown();
      System.exit(1);
    }
  }

  private void serve() throws IOException {
    try (ServerSocket control = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      StringBuilder urls = new StringBuilder();
      for (JettySolrRunner node : nodes) {
        urls.append(node.getBaseUrl()).append('\n');
      }
      write("nodes", urls.toString());
      write("zkhost", cluster.getZkServer().getZkAddress() + "\n");
      write("control", control.getLocalPort() + "\n");
      write("ready", ProcessHandle.current().pid() + "\n");
      Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown));
      while (true) {
        try (Socket client = control.accept();
            BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out =
                new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
          String line = in.readLine();
          String answer = command(line == null ? "" : line.trim());
          out.println(answer);
          if ("stopping".equals(answer)) {
            break;
          }
        } catch (IOException ignored) {
          // a client that went away: keep serving
        }
      }
    }
    shutdown();
    Files.deleteIfExists(dir.resolve("ready"));
    System.exit(0);
  }

  private String command(String line) {
    String[] words = line.split("\\s+");
    try {
      switch (words[0]) {
        case "status":
          StringBuilder status = new StringBuilder();
          for (int i = 0; i < nodes.size(); i++) {
            status.append(i + 1).append('=').append(running.get(i) ? "up" : "down").append(' ');
          }
          return status.toString().trim();
        case "stop":
          return "stopping";
        case "stop-node":
          {
            int index = node(words);
            if (running.get(index)) {
              nodes.get(index).stop();
              running.set(index, Boolean.FALSE);
            }
            return "ok";
          }
        case "start-node":
          {
            int index = node(words);
            if (!running.get(index)) {
              nodes.get(index).start(true); // same port: its replicas come back and catch up
              running.set(index, Boolean.TRUE);
              cluster.waitForNode(nodes.get(index), 120);
            }
            return "ok";
          }
        default:
          return "error unknown command: " + line;
      }
    } catch (Exception failure) {
      return "error " + failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
  }

  private int node(String[] words) {
    if (words.length != 2) {
      throw new IllegalArgumentException("want a node number");
    }
    int index = Integer.parseInt(words[1]) - 1;
    if (index < 0 || index >= nodes.size()) {
      throw new IllegalArgumentException("no node " + words[1] + " (1.." + nodes.size() + ")");
    }
    return index;
  }

  private synchronized void shutdown() {
    for (int i = 0; i < nodes.size(); i++) {
      if (running.get(i)) {
        try {
          nodes.get(i).stop();
        } catch (Exception ignored) {
          // shutting down anyway
        }
        running.set(i, Boolean.FALSE);
      }
    }
    try {
      cluster.shutdown();
    } catch (Exception ignored) {
      // shutting down anyway
    }
  }

  private void write(String name, String text) throws IOException {
    Path temporary = dir.resolve(name + ".tmp");
    Files.writeString(temporary, text, StandardCharsets.UTF_8);
    Files.move(temporary, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }
}
