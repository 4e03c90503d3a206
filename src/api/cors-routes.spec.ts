import { API_ROUTE, CorsRoutes, FILE_ROUTE, LINKS_ROUTE, type RegisteredRoute } from './cors-routes.js';

const UPLOADS: RegisteredRoute = { methods: ['POST'], allowHeaders: [], exposeHeaders: [], ownOptions: true };

describe('CorsRoutes.forPath', () => {
  const routes = new CorsRoutes();
  routes.add('/.uploads', UPLOADS);
  const withheld = new CorsRoutes();
  withheld.withhold('/.uploads');

  test.each<[string, RegisteredRoute]>([
    ['/.uploads', UPLOADS],
    ['/.uploads/', UPLOADS],
    ['/.uploads/0123abcd', UPLOADS],
    ['/.uploadsx', FILE_ROUTE],
    ['/.uploads-staging/x', FILE_ROUTE],
    ['/.api/links', LINKS_ROUTE],
    ['/.api/links/', LINKS_ROUTE],
    ['/.api/linksx', API_ROUTE],
    ['/.api/files/a', API_ROUTE],
    ['/.api', FILE_ROUTE],
    ['/docs/a.txt', FILE_ROUTE],
  ])('%s → the longest prefix that matches whole segments', (path, route) => {
    expect(routes.forPath(path)).toBe(route);
  });

  it('withholds CORS under a withheld prefix (undefined), and only there', () => {
    expect(withheld.forPath('/.uploads')).toBeUndefined();
    expect(withheld.forPath('/.uploads/abc')).toBeUndefined();
    expect(withheld.forPath('/.uploadsx')).toBe(FILE_ROUTE);
    expect(withheld.forPath('/.api/files/')).toBe(API_ROUTE);
  });
});
