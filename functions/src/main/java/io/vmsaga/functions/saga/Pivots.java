package io.vmsaga.functions.saga;

/** Whether a saga has passed its pivot: a fact only the capability that runs it can tell. */
public interface Pivots {
  boolean passed(String gid);
}
