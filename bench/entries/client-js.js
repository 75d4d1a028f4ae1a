import ClientMonitor from 'skywalking-client-js';
ClientMonitor.register({ collector: '/skywalking', service: 'web', serviceVersion: '1', pagePath: location.pathname, enableSPA: true, useFmp: true });
