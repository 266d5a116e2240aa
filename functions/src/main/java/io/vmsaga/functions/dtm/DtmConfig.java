package io.vmsaga.functions.dtm;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.ObjectMapper;

@Configuration
public class DtmConfig {
  @Bean
  public DtmClient dtmClient(@Value("${vmsaga.dtm-urls}") String dtmUrls, ObjectMapper json) {
    return new DtmClient(DtmClient.servers(dtmUrls), json);
  }
}
