export * from './data-domains';
