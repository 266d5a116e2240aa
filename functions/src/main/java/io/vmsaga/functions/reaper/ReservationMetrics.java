package io.vmsaga.functions.reaper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.stereotype.Component;

/**
 * {@code vmsaga_reservations{state}}: the reservation rows in each state, read when scraped — the
 * holds of sagas in flight ({@code placing}, {@code held}, {@code migrating}, {@code assigning})
 * next to the {@code committed} VMs; a hold that keeps growing is what the reaper is for.
 */
@Component
public class ReservationMetrics {
  static final List<String> STATES =
      List.of("placing", "held", "migrating", "assigning", "committed");

  public ReservationMetrics(Counts counts, MeterRegistry meters) {
    for (String state : STATES) {
      Gauge.builder("vmsaga.reservations", counts, c -> c.inState(state))
          .tag("state", state)
          .description("reservation rows in this state")
          .register(meters);
    }
  }

  @Mapper
  public interface Counts {
    @Select("SELECT COUNT(*) FROM reservation WHERE state = #{state}")
    long inState(String state);
  }
}
