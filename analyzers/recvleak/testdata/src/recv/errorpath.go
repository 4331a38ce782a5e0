package recv

import "errors"

// A service runs its callbacks on a dispatcher goroutine that receives
// them until the queue is closed. The constructor closes the queue when a
// late step fails, but not when an earlier one does.
type dispatcher struct {
	queue chan func()
}

func (d *dispatcher) run() {
	for {
		f := <-d.queue
		if f == nil {
			return
		}
		f()
	}
}

func (d *dispatcher) push(f func()) { d.queue <- f }

func (d *dispatcher) close() { close(d.queue) }

type service struct {
	callbacks dispatcher
	endpoints []string
}

func (s *service) addEndpoint(name string) error {
	if name == "" {
		return errors.New("no name")
	}
	s.endpoints = append(s.endpoints, name)
	return nil
}

func newService(name string, verbs []string) (*service, error) {
	svc := &service{callbacks: dispatcher{queue: make(chan func(), 8)}}
	go svc.callbacks.run()
	if err := svc.addEndpoint(name); err != nil {
		return nil, err // want `newService returns on this error without calling svc.callbacks.close, as it does on another error path: the goroutine running svc.callbacks.run leaks`
	}
	for _, v := range verbs {
		if err := svc.addEndpoint(v); err != nil {
			svc.callbacks.close()
			return nil, err
		}
	}
	return svc, nil
}

// The same constructor, closing the queue on every error path: silent.
func newClosingService(name string, verbs []string) (*service, error) {
	svc := &service{callbacks: dispatcher{queue: make(chan func(), 8)}}
	go svc.callbacks.run()
	if err := svc.addEndpoint(name); err != nil {
		svc.callbacks.close()
		return nil, err
	}
	for _, v := range verbs {
		if err := svc.addEndpoint(v); err != nil {
			svc.callbacks.close()
			return nil, err
		}
	}
	return svc, nil
}
