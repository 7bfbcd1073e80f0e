package dev.fanout.db;

/** Prints {@link ClusterTemplate#key()}: {@code ClusterTemplateTest} compares it across processes. */
public final class PrintClusterTemplateKey {

  private PrintClusterTemplateKey() {
  }

  public static void main(String[] args) throws Exception {
    System.out.println(ClusterTemplate.key());
  }
}
