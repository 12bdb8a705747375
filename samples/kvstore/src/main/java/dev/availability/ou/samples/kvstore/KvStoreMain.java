package dev.availability.ou.samples.kvstore;

/** Entry point of the sample key-value store. */
public final class KvStoreMain {
  private KvStoreMain() {}

  public static void main(String[] args) {
    System.out.println("kvstore: not implemented yet");
  }
}
