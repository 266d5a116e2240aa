package io.vmsaga.functions.core;

import org.mybatis.spring.mapper.MapperFactoryBean;
import org.mybatis.spring.mapper.MapperScannerConfigurer;
import org.springframework.beans.factory.aot.BeanRegistrationExcludeFilter;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.ConstructorArgumentValues.ValueHolder;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * MyBatis mappers in a context that Spring AOT prepared at build time (docs/performance.md).
 * mybatis-spring 4.0.0 has two faults there, both fixed upstream after it (mybatis/spring#929):
 *
 * <ul>
 *   <li>its scanner names each mapper interface by a String, which the generated code passes to
 *       {@code MapperFactoryBean(Class)} unconverted: here every mapper's definition gets the class
 *       itself before the code is generated;
 *   <li>its scanner, itself a bean, would run again in the started app and find every mapper a
 *       second time (a conflicting definition ends the start): it is left out of the generated
 *       context, whose mappers were registered at build time.
 * </ul>
 */
@Component
public class MappersForAot implements BeanFactoryPostProcessor {
  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beans) {
    for (String name : beans.getBeanDefinitionNames()) {
      BeanDefinition mapper = beans.getBeanDefinition(name);
      if (!MapperFactoryBean.class.getName().equals(mapper.getBeanClassName())) {
        continue;
      }
      for (ValueHolder argument :
          mapper.getConstructorArgumentValues().getGenericArgumentValues()) {
        if (argument.getValue() instanceof String interfaceName) {
          argument.setValue(ClassUtils.resolveClassName(interfaceName, beans.getBeanClassLoader()));
        }
      }
    }
  }

  /** Not a bean: Spring AOT reads it from {@code META-INF/spring/aot.factories}. */
  public static class ScanDoneAtBuild implements BeanRegistrationExcludeFilter {
    @Override
    public boolean isExcludedFromAotProcessing(RegisteredBean bean) {
      return MapperScannerConfigurer.class.equals(bean.getBeanClass());
    }
  }
}
